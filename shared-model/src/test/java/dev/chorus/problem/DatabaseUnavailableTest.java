package dev.chorus.problem;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class DatabaseUnavailableTest {

    @Test
    void aRefusedConnectionDeepInTheCauseChainMeansUnavailable() {
        assertThat(DatabaseUnavailable.causes(
                        new CompletionException(new IllegalStateException(new ConnectException("Connection refused")))))
                .isTrue();
    }

    @Test
    void aConnectionClosedUnderAQueryMeansUnavailable() {
        assertThat(DatabaseUnavailable.causes(ClosedConnectionException.INSTANCE))
                .isTrue();
    }

    @Test
    void aConnectionResetUnderAQueryMeansUnavailable() {
        assertThat(DatabaseUnavailable.causes(new java.net.SocketException("Connection reset")))
                .isTrue();
    }

    @Test
    void aWriteToAConnectionTheServerHasClosedMeansUnavailable() {
        assertThat(DatabaseUnavailable.causes(new java.io.IOException("Broken pipe")))
                .isTrue();
        assertThat(DatabaseUnavailable.causes(new java.io.IOException("writeAddress(..) failed: Broken pipe")))
                .isTrue();
    }

    @Test
    void otherInputAndOutputFailuresAreNotUnavailability() {
        assertThat(DatabaseUnavailable.causes(new java.io.IOException("No space left on device")))
                .isFalse();
    }

    @Test
    void aServerShuttingDownOrStartingMeansUnavailable() {
        assertThat(DatabaseUnavailable.causes(new PgException("terminating connection", "FATAL", "57P01", null)))
                .isTrue();
        assertThat(DatabaseUnavailable.causes(
                        new PgException("the database system is starting up", "FATAL", "57P03", null)))
                .isTrue();
        assertThat(DatabaseUnavailable.causes(new PgException("connection failure", "FATAL", "08006", null)))
                .isTrue();
    }

    @Test
    void constraintViolationsAndBugsAreNotUnavailability() {
        assertThat(DatabaseUnavailable.causes(new PgException("duplicate key", "ERROR", "23505", null)))
                .isFalse();
        assertThat(DatabaseUnavailable.causes(new IllegalStateException("a bug")))
                .isFalse();
    }
}
