import { privateMariadbUnavailable, startPrivateMariadb } from '../helpers/sql-servers';
import { describeSqlOutage } from './sql-outage';

describeSqlOutage('MariaDB', privateMariadbUnavailable(), startPrivateMariadb);
