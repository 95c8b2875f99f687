package dev.chorus.problem;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Refuses bodies over the API's limit with a problem document. The HTTP server's own hard limit
 * (quarkus.http.limits.max-body-size) stays as the backstop for bodies that do not declare their length.
 */
public class BodySizeFilter {

    static final long MAX_BODY_BYTES = 64 * 1024;

    @ServerRequestFilter(preMatching = true)
    public void limitBodySize(ContainerRequestContext request) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length != null) {
            try {
                if (Long.parseLong(length.strip()) > MAX_BODY_BYTES) {
                    throw ApiException.tooLarge("Request bodies are limited to " + MAX_BODY_BYTES / 1024 + " KiB.");
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("malformed-header", "Content-Length is not a number.");
            }
        }
    }
}
