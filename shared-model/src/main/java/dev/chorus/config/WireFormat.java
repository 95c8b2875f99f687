package dev.chorus.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.EnumFeature;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * The JSON wire format of every service: enums as lowercase words ({@code "owner"}, {@code "assistant"}). The rest
 * of it (enums read in any case, ISO-8601 instants, unknown fields refused) is quarkus.jackson configuration in
 * shared-model's microprofile-config.properties.
 */
@Singleton
public class WireFormat implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.configure(EnumFeature.WRITE_ENUMS_TO_LOWERCASE, true);
    }
}
