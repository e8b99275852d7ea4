#!/bin/sh
# on-pg.sh tests/integration/pg/NN-name.pg: run the scenario
# tests/integration/NN-name.sh again with its database on PostgreSQL
# (SW_TEST_DB=pg: common.sh starts a cluster and names it in the config).
# The automake log compiler of the .pg tests (mk/store.am).
name=$(basename "$1" .pg)
SW_TEST_DB=pg
export SW_TEST_DB
exec "$top_srcdir/tests/integration/$name.sh"
