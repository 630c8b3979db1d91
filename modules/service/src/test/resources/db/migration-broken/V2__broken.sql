CREATE TABLE ${schema}.half_done (x integer);
SELEC 1;
