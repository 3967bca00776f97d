import { privatePostgresUnavailable, startPrivatePostgres } from '../helpers/sql-servers';
import { describeSqlOutage } from './sql-outage';

describeSqlOutage('PostgreSQL', privatePostgresUnavailable(), startPrivatePostgres);
