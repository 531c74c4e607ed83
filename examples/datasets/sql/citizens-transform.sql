-- stage -> core for one period: citizens with a known income, names trimmed. Runs on DuckDB and PostgreSQL.
CREATE TABLE IF NOT EXISTS core.citizens (
  citizen_id BIGINT NOT NULL,
  first_name TEXT,
  birth_date DATE,
  income DOUBLE PRECISION NOT NULL,
  _data_period TEXT NOT NULL
);
DELETE FROM core.citizens WHERE _data_period = {{period}};
INSERT INTO core.citizens (citizen_id, first_name, birth_date, income, _data_period)
SELECT citizen_id, trim(first_name), birth_date, income, _data_period
  FROM stage.citizens
 WHERE _data_period = {{period}} AND income IS NOT NULL;
