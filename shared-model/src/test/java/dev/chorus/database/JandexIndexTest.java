package dev.chorus.database;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.chat.Chat;
import dev.chorus.message.Message;
import dev.chorus.message.MessageLog;
import dev.chorus.user.User;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.jandex.DotName;
import org.jboss.jandex.IndexReader;
import org.jboss.jandex.IndexView;
import org.junit.jupiter.api.Test;

/** Without this index the build passes and every service fails at run time ("Entity ... was not found"). */
class JandexIndexTest {

    @Test
    void theModuleShipsAnIndexOfItsEntitiesAndBeans() throws IOException {
        Path index = Path.of("target/classes/META-INF/jandex.idx");
        assertThat(index).exists();

        IndexView view;
        try (InputStream in = Files.newInputStream(index)) {
            view = new IndexReader(in).read();
        }
        for (Class<?> type : new Class<?>[] {User.class, Chat.class, Message.class, MessageLog.class}) {
            assertThat(view.getClassByName(DotName.createSimple(type.getName())))
                    .as("%s is indexed", type.getSimpleName())
                    .isNotNull();
        }
    }
}
