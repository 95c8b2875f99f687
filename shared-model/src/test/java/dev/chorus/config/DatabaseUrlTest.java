package dev.chorus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseUrlTest {

    @Test
    void railwayStyleUrlBecomesReactiveAndJdbcSettings() {
        DatabaseUrl url =
                DatabaseUrl.parse("postgresql://postgres:s3cr%40t@db.railway.internal:6543/railway?sslmode=require");

        assertThat(url.host()).isEqualTo("db.railway.internal");
        assertThat(url.port()).isEqualTo(6543);
        assertThat(url.database()).isEqualTo("railway");
        assertThat(url.username()).isEqualTo("postgres");
        assertThat(url.password()).isEqualTo("s3cr@t");
        assertThat(url.reactiveUrl()).isEqualTo("postgresql://db.railway.internal:6543/railway?sslmode=require");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.railway.internal:6543/railway?sslmode=require");
    }

    @Test
    void herokuStyleUrlWithoutPortOrSslModeUsesTheDefaults() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://u:p@example.com/d1");

        assertThat(url.port()).isEqualTo(5432);
        assertThat(url.sslMode()).isEqualTo("prefer");
        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://example.com:5432/d1");
    }

    @Test
    void ipv6HostsKeepTheirBrackets() {
        assertThat(DatabaseUrl.parse("postgres://u:p@[::1]:5433/d").jdbcUrl())
                .isEqualTo("jdbc:postgresql://[::1]:5433/d");
    }

    @Test
    void aPasswordWithAPlusSignIsKept() {
        assertThat(DatabaseUrl.parse("postgres://u:a+b@h/d").password()).isEqualTo("a+b");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "mysql://u:p@h:3306/d",
                "postgres://u:p@h:5432",
                "postgres://u:p@h:5432/",
                "postgres://u:p@/d",
                "not a url at all",
                "postgres://u:p@h:5432/d?sslmode=sometimes",
                "postgres://u:p%zz@h/d"
            })
    void malformedUrlsAreRefusedWithoutRepeatingTheSecret(String malformed) {
        assertThatThrownBy(() -> DatabaseUrl.parse(malformed))
                .isInstanceOf(DatabaseUrl.InvalidDatabaseUrlException.class)
                .hasMessageStartingWith("DATABASE_URL is not valid: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(":p@"));
    }

    @Test
    void printingTheUrlNeverShowsTheCredentials() {
        DatabaseUrl url = DatabaseUrl.parse("postgres://admin:topsecret@h:5432/d");

        assertThat(url.toString()).isEqualTo("postgres://h:5432/d").doesNotContain("topsecret");
    }
}
