package dev.chorus.api;

import static dev.chorus.api.Api.anonymous;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.notNullValue;

import dev.chorus.auth.VerifiedTokens;
import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class AuthTest {

    @Inject
    JWTParser parser;

    @Test
    void registeringGivesTokensThatOpenTheAccount() {
        Api.User ada = Api.register("Ada");

        ada.request()
                .get("/api/me")
                .then()
                .statusCode(200)
                .body("email", is(ada.email()))
                .body("displayName", is("Ada"));
    }

    @Test
    void anEmailCanOnlyBeRegisteredOnceWhateverItsCase() {
        Api.User ada = Api.register("Ada");

        anonymous()
                .body(Map.of("email", ada.email().toUpperCase(), "password", "another password", "displayName", "Eve"))
                .post("/api/auth/register")
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("type", is("email-taken"));
    }

    @Test
    void invalidRegistrationsNameEachBadField() {
        anonymous()
                .body(Map.of("email", "not-an-email", "password", "short", "displayName", ""))
                .post("/api/auth/register")
                .then()
                .statusCode(400)
                .contentType("application/problem+json")
                .body("type", is("validation"))
                .body("errors.field", hasItem("email"))
                .body("errors.field", hasItem("password"))
                .body("errors.field", hasItem("displayName"));
    }

    @Test
    void loginWithTheRightPasswordWorksAndWithAWrongOneDoesNot() {
        Api.User ada = Api.register("Ada");

        anonymous()
                .body(Map.of("email", ada.email(), "password", ada.password()))
                .post("/api/auth/login")
                .then()
                .statusCode(200)
                .body("accessToken", notNullValue())
                .body("tokenType", is("Bearer"));
        anonymous()
                .body(Map.of("email", ada.email(), "password", "wrong password"))
                .post("/api/auth/login")
                .then()
                .statusCode(401)
                .contentType("application/problem+json");
        anonymous()
                .body(Map.of("email", "nobody@example.com", "password", "whatever123"))
                .post("/api/auth/login")
                .then()
                .statusCode(401);
    }

    @Test
    void aRefreshTokenWorksOnceAndItsReuseRevokesTheWholeFamily() {
        Api.User ada = Api.register("Ada");
        String rotated = anonymous()
                .body(Map.of("refreshToken", ada.refreshToken()))
                .post("/api/auth/refresh")
                .then()
                .statusCode(200)
                .extract()
                .path("refreshToken");

        // The first token replayed: a sign it leaked. It fails, and so does everything rotated from it.
        anonymous()
                .body(Map.of("refreshToken", ada.refreshToken()))
                .post("/api/auth/refresh")
                .then()
                .statusCode(401);
        anonymous()
                .body(Map.of("refreshToken", rotated))
                .post("/api/auth/refresh")
                .then()
                .statusCode(401);
    }

    @Test
    void loggingOutEndsThatDevicesRefreshToken() {
        Api.User ada = Api.register("Ada");

        anonymous()
                .body(Map.of("refreshToken", ada.refreshToken()))
                .post("/api/auth/logout")
                .then()
                .statusCode(204);

        anonymous()
                .body(Map.of("refreshToken", ada.refreshToken()))
                .post("/api/auth/refresh")
                .then()
                .statusCode(401);
    }

    @Test
    void loggingOutEverywhereEndsEverySession() {
        Api.User ada = Api.register("Ada");
        String secondDevice = anonymous()
                .body(Map.of("email", ada.email(), "password", ada.password()))
                .post("/api/auth/login")
                .then()
                .extract()
                .path("refreshToken");

        ada.request().post("/api/auth/logout-all").then().statusCode(204);

        for (String token : new String[] {ada.refreshToken(), secondDevice}) {
            anonymous()
                    .body(Map.of("refreshToken", token))
                    .post("/api/auth/refresh")
                    .then()
                    .statusCode(401);
        }
    }

    @Test
    void theDisplayNameCanBeChanged() {
        Api.User ada = Api.register("Ada");

        ada.request()
                .body(Map.of("displayName", "Countess"))
                .patch("/api/me")
                .then()
                .statusCode(200);

        ada.request().get("/api/me").then().body("displayName", is("Countess"));
    }

    @Test
    void changingThePasswordNeedsTheCurrentOneAndEndsOtherSessions() {
        Api.User ada = Api.register("Ada");

        ada.request()
                .body(Map.of("currentPassword", "not it at all", "newPassword", "a brand new password"))
                .post("/api/me/password")
                .then()
                .statusCode(403);
        ada.request()
                .body(Map.of("currentPassword", ada.password(), "newPassword", "a brand new password"))
                .post("/api/me/password")
                .then()
                .statusCode(204);

        anonymous()
                .body(Map.of("refreshToken", ada.refreshToken()))
                .post("/api/auth/refresh")
                .then()
                .statusCode(401);
        anonymous()
                .body(Map.of("email", ada.email(), "password", "a brand new password"))
                .post("/api/auth/login")
                .then()
                .statusCode(200);
    }

    @Test
    void accessTokensAreVerifiedThroughTheCacheOfVerifiedTokens() {
        assertThat(parser).isInstanceOf(VerifiedTokens.class);
    }

    @Test
    void withoutAValidTokenTheAccountIsClosed() {
        anonymous().get("/api/me").then().statusCode(401).contentType("application/problem+json");
        anonymous()
                .auth()
                .oauth2("not.a.jwt")
                .get("/api/me")
                .then()
                .statusCode(401)
                .header("WWW-Authenticate", containsString("Bearer"));
    }
}
