package dev.wharf.config;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.wharf.proto.config.v1.Config;
import java.util.List;

/**
 * Configs built field by field from fuzzer bytes, through the descriptors, so fields added later
 * are fuzzed too. Strings are often taken from a list of the values Wharf reads specially (names
 * that cross-reference, addresses, host patterns, paths, regexes, templates) so that the validator
 * gets past its first checks, and otherwise are whatever the fuzzer makes.
 */
final class FuzzedConfigs {
  private static final int MAX_DEPTH = 8;
  private static final int MAX_REPEATED = 3;

  private static final List<String> WORDS =
      List.of(
          "",
          "web",
          "api",
          "a",
          "127.0.0.1",
          "0.0.0.0",
          "::1",
          "10.0.0.1:80",
          "[::1]:8080",
          "example.com:99999",
          "localhost",
          "*.example.com",
          "example.*",
          ".example.com",
          "~^(www\\.)?example\\.(com|org)$",
          "_",
          "/",
          "/api/",
          "/a/../b",
          "^/(a|b)/(\\d+)$",
          "(?=x)",
          "(a+)+$",
          "\\1",
          "x{1000}{1000}",
          "((((((((((a))))))))))",
          "[",
          "$host$request_uri",
          "https://$host$1",
          "${host",
          "$9$0",
          "$arg_",
          "http://up/$1",
          "30s",
          "16k",
          "chunked",
          "X-Forwarded-For",
          "a\r\nb: c",
          "\u0000",
          "\u212a",
          "/var/www/../../etc",
          "-----BEGIN CERTIFICATE-----");

  private final FuzzedDataProvider data;

  FuzzedConfigs(FuzzedDataProvider data) {
    this.data = data;
  }

  Config config() {
    return (Config) fill(Config.newBuilder(), 0).build();
  }

  private Message.Builder fill(Message.Builder builder, int depth) {
    Descriptor type = builder.getDescriptorForType();
    for (FieldDescriptor field : type.getFields()) {
      if (!data.consumeBoolean()) {
        continue;
      }
      if (field.isRepeated()) {
        int n = data.consumeInt(0, MAX_REPEATED);
        for (int i = 0; i < n; i++) {
          builder.addRepeatedField(field, value(builder, field, depth));
        }
      } else {
        builder.setField(field, value(builder, field, depth));
      }
    }
    return builder;
  }

  private Object value(Message.Builder parent, FieldDescriptor field, int depth) {
    return switch (field.getJavaType()) {
      case INT -> data.consumeBoolean() ? data.consumeInt(-2, 70_000) : data.consumeInt();
      case LONG -> data.consumeBoolean() ? data.consumeLong(-2, 1L << 32) : data.consumeLong();
      case FLOAT -> data.consumeFloat();
      case DOUBLE -> data.consumeDouble();
      case BOOLEAN -> data.consumeBoolean();
      case STRING -> string();
      case BYTE_STRING -> ByteString.copyFrom(data.consumeBytes(64));
      case ENUM -> enumValue(field);
      case MESSAGE ->
          depth >= MAX_DEPTH
              ? parent.newBuilderForField(field).build()
              : fill(parent.newBuilderForField(field), depth + 1).build();
    };
  }

  private EnumValueDescriptor enumValue(FieldDescriptor field) {
    List<EnumValueDescriptor> values = field.getEnumType().getValues();
    return values.get(data.consumeInt(0, values.size() - 1));
  }

  private String string() {
    return switch (data.consumeInt(0, 3)) {
      case 0, 1 -> data.pickValue(WORDS);
      case 2 -> data.pickValue(WORDS) + data.consumeString(16) + data.pickValue(WORDS);
      default -> data.consumeString(64);
    };
  }
}
