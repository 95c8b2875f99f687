package dev.chorus.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.signal.ChatSignal;
import dev.chorus.testing.NativeReflection;
import org.junit.jupiter.api.Test;

class NativeImageReflectionTest {

    @Test
    void everyFrameTheSocketWritesOrReadsByHandIsRegisteredForTheNativeImage() {
        assertThat(NativeReflection.unregistered(Frames.class, ChatSignal.class))
                .isEmpty();
    }
}
