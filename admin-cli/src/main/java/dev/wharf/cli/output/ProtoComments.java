package dev.wharf.cli.output;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo.Location;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The comments written above messages, fields and enums in the .proto files, as protoc kept them in
 * the descriptor set the proto module builds ({@code wharf/descriptors.binpb}, with source info).
 * The comments stay where they are written; this only reads them back, by the same path protoc
 * records them under (descriptor.proto's {@code SourceCodeInfo.Location.path}).
 *
 * <p>Immutable once loaded; safe to share.
 */
final class ProtoComments {
  static final String RESOURCE = "/wharf/descriptors.binpb";

  // Field numbers in descriptor.proto that make up a location's path.
  private static final int FILE_MESSAGE = 4;
  private static final int FILE_ENUM = 5;
  private static final int MESSAGE_FIELD = 2;
  private static final int MESSAGE_NESTED = 3;
  private static final int MESSAGE_ENUM = 4;

  private final Map<String, Map<List<Integer>, String>> byFile;

  private ProtoComments(Map<String, Map<List<Integer>, String>> byFile) {
    this.byFile = byFile;
  }

  /** Reads the descriptor set from the classpath; a build without it is a bug, not user input. */
  static ProtoComments load() {
    try (InputStream in = ProtoComments.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the classpath");
      }
      return of(FileDescriptorSet.parseFrom(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ProtoComments of(FileDescriptorSet set) {
    Map<String, Map<List<Integer>, String>> byFile = new HashMap<>();
    for (FileDescriptorProto file : set.getFileList()) {
      Map<List<Integer>, String> comments = new HashMap<>();
      for (Location l : file.getSourceCodeInfo().getLocationList()) {
        String text = clean(l.getLeadingComments() + l.getTrailingComments());
        if (!text.isEmpty()) {
          comments.put(List.copyOf(l.getPathList()), text);
        }
      }
      byFile.put(file.getName(), Map.copyOf(comments));
    }
    return new ProtoComments(Map.copyOf(byFile));
  }

  String of(Descriptor message) {
    return lookup(message.getFile(), path(message));
  }

  String of(FieldDescriptor field) {
    return lookup(field.getFile(), append(path(field.getContainingType()), MESSAGE_FIELD, field));
  }

  String of(EnumDescriptor type) {
    List<Integer> path =
        type.getContainingType() == null
            ? List.of(FILE_ENUM, type.getIndex())
            : append(path(type.getContainingType()), MESSAGE_ENUM, type.getIndex());
    return lookup(type.getFile(), path);
  }

  private String lookup(FileDescriptor file, List<Integer> path) {
    return byFile.getOrDefault(file.getName(), Map.of()).getOrDefault(path, "");
  }

  private static List<Integer> path(Descriptor message) {
    if (message.getContainingType() == null) {
      return List.of(FILE_MESSAGE, message.getIndex());
    }
    return append(path(message.getContainingType()), MESSAGE_NESTED, message.getIndex());
  }

  private static List<Integer> append(List<Integer> path, int kind, FieldDescriptor field) {
    return append(path, kind, field.getIndex());
  }

  private static List<Integer> append(List<Integer> path, int kind, int index) {
    List<Integer> out = new ArrayList<>(path);
    out.add(kind);
    out.add(index);
    return List.copyOf(out);
  }

  /** Comment lines without protoc's leading space, and without blank lines at either end. */
  private static String clean(String comment) {
    List<String> lines = new ArrayList<>();
    for (String line : comment.split("\n", -1)) {
      lines.add(line.startsWith(" ") ? line.substring(1) : line);
    }
    return String.join("\n", lines).strip();
  }
}
