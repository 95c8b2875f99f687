package dev.chorus.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into application/problem+json: the one place errors get their shape. */
public class ProblemMapper {

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        Response.ResponseBuilder response = problem(new Problem(e.type(), e.title(), e.status(), e.getMessage(), null));
        if (e.retryAfter() != null) {
            response.header("Retry-After", Math.max(1, (e.retryAfter().toMillis() + 999) / 1000));
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e) {
        List<Problem.FieldError> errors = e.getConstraintViolations().stream()
                .map(violation -> new Problem.FieldError(field(violation), violation.getMessage()))
                .sorted(Comparator.comparing(Problem.FieldError::field))
                .collect(Collectors.toList());
        return problem(new Problem("validation", "Invalid request", 400, "Some fields are not valid.", errors))
                .build();
    }

    @ServerExceptionMapper
    public Response unreadableJson(JsonProcessingException e) {
        return malformedBody("The body is not valid JSON.");
    }

    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return malformedBody("Unknown field '" + unknown.getPropertyName() + "'.");
        }
        return malformedBody("Field '" + path(e) + "' has a value of the wrong type.");
    }

    @ServerExceptionMapper
    public Response invalidJsonValue(InvalidFormatException e) {
        return mismatchedJson(e);
    }

    private static Response malformedBody(String detail) {
        return problem(new Problem("malformed-body", "Bad request", 400, detail, null))
                .build();
    }

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated() {
        return problem(new Problem("unauthorized", "Unauthorized", 401, "A valid access token is required.", null))
                .header("WWW-Authenticate", "Bearer")
                .build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return problem(new Problem("forbidden", "Forbidden", 403, "You may not do this.", null))
                .build();
    }

    @ServerExceptionMapper
    public Response http(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        Response.Status known = Response.Status.fromStatusCode(status);
        String title = known != null ? known.getReasonPhrase() : "Error";
        String type = title.toLowerCase(java.util.Locale.ROOT).replace(' ', '-');
        return problem(new Problem(type, title, status, null, null)).build();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        if (DatabaseUnavailable.causes(e)) {
            LOG.warnf("The database is unavailable: %s", e.toString());
            return problem(new Problem(
                            "database-unavailable",
                            "Service unavailable",
                            503,
                            "The database is out of reach for a moment; send the request again.",
                            null))
                    .header("Retry-After", 1)
                    .build();
        }
        LOG.error("Unexpected failure", e);
        return problem(new Problem(
                        "internal", "Internal error", 500, "Something went wrong on our side; it was logged.", null))
                .build();
    }

    private static Response.ResponseBuilder problem(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem);
    }

    /** The field name as the client sent it: the last node of the validation path, without method and argument. */
    private static String field(ConstraintViolation<?> violation) {
        String path = violation.getPropertyPath().toString();
        String[] parts = path.split("\\.");
        return parts.length > 2 ? String.join(".", java.util.Arrays.copyOfRange(parts, 2, parts.length)) : path;
    }

    private static String path(MismatchedInputException e) {
        return e.getPath().stream()
                .map(reference ->
                        reference.getFieldName() != null ? reference.getFieldName() : "[" + reference.getIndex() + "]")
                .collect(Collectors.joining("."));
    }
}
