CREATE TABLE ${schema}.first_table (x integer);
