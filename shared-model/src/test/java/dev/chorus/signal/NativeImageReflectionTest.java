package dev.chorus.signal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.message.MessageView;
import dev.chorus.testing.NativeReflection;
import org.junit.jupiter.api.Test;

class NativeImageReflectionTest {

    @Test
    void signalsBetweenReplicasAndTheMessageViewAreRegisteredForTheNativeImage() {
        assertThat(NativeReflection.unregistered(ChatSignal.class, MessageView.class))
                .isEmpty();
    }

    record Unregistered(java.util.List<Nested> items) {}

    record Nested(MessageView view) {}

    @Test
    void recordsReachedThroughComponentsAndTypeArgumentsAreCheckedToo() {
        assertThat(NativeReflection.unregistered(Unregistered.class))
                .containsExactly(Unregistered.class.getName(), Nested.class.getName());
    }
}
