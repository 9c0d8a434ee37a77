package dev.ember;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import dev.ember.config.LogSettings;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/** Points logback where {@link LogSettings} says, once, before the service starts. */
final class Logging {

    /** The pattern of logback.xml's console appender, so both outputs read alike. */
    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n";

    private Logging() {
    }

    static void apply(LogSettings settings) throws Exception {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return;   // another slf4j binding: its own configuration rules
        }
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (settings.debug()) {
            // oslo's debug lowers the service's own loggers; libraries keep their levels (as oslo's
            // default_log_levels keep amqp, sqlalchemy and friends at WARN).
            ctx.getLogger("dev.ember").setLevel(Level.DEBUG);
        }
        if (settings.file().isEmpty()) {
            return;
        }
        Path file = settings.file().get().toAbsolutePath();
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(ctx);
        encoder.setPattern(PATTERN);
        encoder.start();
        FileAppender<ILoggingEvent> appender = new FileAppender<>();
        appender.setContext(ctx);
        appender.setName("FILE");
        appender.setFile(file.toString());
        appender.setAppend(true);
        appender.setEncoder(encoder);
        appender.start();
        if (!appender.isStarted()) {
            throw new IllegalArgumentException("cannot open the log file " + file);
        }
        // As oslo.log: a log file replaces standard output rather than doubling it.
        root.addAppender(appender);
        root.detachAppender("STDOUT");
    }
}
