-- core -> mart for one period: how many citizens, and their total and mean income.
CREATE TABLE IF NOT EXISTS mart.citizen_income (
  _data_period TEXT NOT NULL,
  citizens BIGINT NOT NULL,
  total_income DOUBLE PRECISION NOT NULL,
  mean_income DOUBLE PRECISION NOT NULL
);
DELETE FROM mart.citizen_income WHERE _data_period = {{period}};
INSERT INTO mart.citizen_income (_data_period, citizens, total_income, mean_income)
SELECT _data_period, count(*), sum(income), avg(income)
  FROM core.citizens
 WHERE _data_period = {{period}}
 GROUP BY _data_period;
