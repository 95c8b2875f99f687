package dev.chorus.auth;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.util.UUID;

/** The bodies of the account endpoints. */
public final class AuthDtos {

    private AuthDtos() {}

    public record Registration(
            @NotBlank @Email @Size(max = 320) String email,
            @NotNull @Size(min = 8, max = 128) String password,
            @NotBlank @Size(max = 100) String displayName) {}

    public record Credentials(
            @NotBlank @Size(max = 320) String email,
            @NotNull @Size(max = 128) String password) {}

    public record RefreshRequest(@NotBlank @Size(max = 200) String refreshToken) {}

    public record DisplayNameChange(
            @NotBlank @Size(max = 100) String displayName) {}

    public record PasswordChange(
            @NotNull @Size(max = 128) String currentPassword,
            @NotNull @Size(min = 8, max = 128) String newPassword) {}

    public record UserView(UUID id, String email, String displayName) {}

    public record Tokens(String accessToken, String tokenType, long expiresIn, String refreshToken, UserView user) {}
}
