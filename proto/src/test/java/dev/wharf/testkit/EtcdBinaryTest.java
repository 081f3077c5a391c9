package dev.wharf.testkit;

import static java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE;
import static java.nio.file.attribute.PosixFilePermission.OWNER_READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

/** The missing-etcd contract. Needs no etcd, so it runs (and guards CI) where etcd is absent. */
class EtcdBinaryTest {

  @Test
  void missingEtcdBinaryFailsUnderCi() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> EtcdBinary.locate("/nonexistent", "true"));
    assertTrue(e.getMessage().contains("apt-get install -y etcd-server"), e.getMessage());
  }

  @Test
  void missingEtcdBinaryAbortsTheTestOutsideCi() {
    TestAbortedException e =
        assertThrows(TestAbortedException.class, () -> EtcdBinary.locate("/nonexistent", null));
    assertTrue(e.getMessage().contains("apt-get install -y etcd-server"), e.getMessage());
  }

  @Test
  void theFirstExecutableEtcdOnThePathWins(@TempDir Path dir) throws Exception {
    Path notExecutable = Files.createDirectories(dir.resolve("a")).resolve("etcd");
    Files.writeString(notExecutable, "");
    Path executable = Files.createDirectories(dir.resolve("b")).resolve("etcd");
    Files.writeString(executable, "#!/bin/sh\n");
    Files.setPosixFilePermissions(executable, Set.of(OWNER_READ, OWNER_EXECUTE));

    String path =
        String.join(
            File.pathSeparator, "", dir.resolve("a").toString(), dir.resolve("b").toString());
    assertEquals(executable, EtcdBinary.locate(path, "true"));
  }
}
