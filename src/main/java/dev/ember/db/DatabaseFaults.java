package dev.ember.db;

import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Recognises, among the driver's exceptions, a transaction worth running again and a database
 * that cannot be reached ({@link Database#tx} reports the latter as
 * {@link dev.ember.error.DatabaseUnavailableException}).
 */
final class DatabaseFaults {

    private DatabaseFaults() {
    }

    /**
     * A deadlock (MariaDB 1213, SQLState 40001) or a lock wait timeout (1205): InnoDB rolled the
     * transaction back, or gave up on a lock, and the same transaction run again may well pass.
     */
    static boolean isRetryable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.sql.SQLException e
                    && (e.getErrorCode() == 1213 || e.getErrorCode() == 1205 || "40001".equals(e.getSQLState()))) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    static boolean isUnavailable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLTransientConnectionException || c instanceof SQLNonTransientConnectionException
                    || c instanceof java.net.ConnectException) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }
}
