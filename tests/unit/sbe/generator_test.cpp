// sbe_gen's schema checks: schemas outside the supported subset are
// rejected with an error that names the file and the element.

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "emitter.hpp"
#include "parser.hpp"

namespace parley::sbe_gen {
namespace {

constexpr const char* kTypes = R"xml(
  <types>
    <composite name="messageHeader">
      <type name="blockLength" primitiveType="uint16"/>
      <type name="templateId" primitiveType="uint16"/>
      <type name="schemaId" primitiveType="uint16"/>
      <type name="version" primitiveType="uint16"/>
    </composite>
    <composite name="groupSizeEncoding">
      <type name="blockLength" primitiveType="uint16"/>
      <type name="numInGroup" primitiveType="uint16"/>
    </composite>
    <composite name="varStringEncoding">
      <type name="length" primitiveType="uint32"/>
      <type name="varData" primitiveType="uint8" length="0"/>
    </composite>
  </types>)xml";

// A directory of schema files, removed at the end of the test.
class SchemaFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "sbe_gen_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    directory_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  std::string write(const std::string& name, const std::string& text) {
    std::filesystem::path path = directory_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  // Writes a schema with `body` after the standard types.
  std::string schema(const std::string& body, const std::string& attributes = "version=\"1\"") {
    return write("schema.xml",
                 "<?xml version=\"1.0\"?>\n"
                 "<sbe:messageSchema xmlns:sbe=\"http://fixprotocol.io/2016/sbe\"\n"
                 "    xmlns:xi=\"http://www.w3.org/2001/XInclude\"\n"
                 "    package=\"test.gen\" id=\"7\" " +
                     attributes + ">" + kTypes + body + "</sbe:messageSchema>\n");
  }

  // The SchemaError message of parsing `path`, or "" when it parses.
  static std::string error_of(const std::string& path,
                              const std::vector<std::string>& fragments = {}) {
    try {
      parse_schema(path, fragments);
    } catch (const SchemaError& error) {
      return error.what();
    }
    return "";
  }

  std::filesystem::path directory_;
};

TEST_F(SchemaFiles, ValidSchemaParses) {
  std::string path = schema(R"xml(
    <sbe:message name="Ping" id="1">
      <field name="sequence" id="1" type="uint32"/>
      <field name="sentAt" id="2" type="int64" sinceVersion="1"/>
      <group name="hops" id="3"><field name="node" id="4" type="uint16"/></group>
      <data name="note" id="5" type="varStringEncoding"/>
    </sbe:message>)xml");
  Schema parsed = parse_schema(path);
  EXPECT_EQ(parsed.id, 7);
  EXPECT_EQ(parsed.version, 1);
  ASSERT_EQ(parsed.messages.size(), 1u);
  const Level& level = parsed.messages[0].level;
  EXPECT_EQ(level.block_length, 12u);
  EXPECT_EQ(level.fields[1].offset, 4u);
  EXPECT_EQ(required_block_length(level, 0), 4u);
  EXPECT_EQ(required_block_length(level, 1), 12u);
  EXPECT_EQ(level.groups[0].level.block_length, 2u);
  EXPECT_EQ(level.data[0].length_size, 4u);
  EXPECT_EQ(namespace_of(parsed.package), "test::gen");
}

TEST_F(SchemaFiles, IncludesSelectMessages) {
  write("messages.xml", R"xml(<messages xmlns:sbe="http://fixprotocol.io/2016/sbe">
      <sbe:message name="A" id="1"><field name="x" id="1" type="int8"/></sbe:message>
      <sbe:message name="B" id="2"><field name="y" id="1" type="int8"/></sbe:message>
    </messages>)xml");
  std::string path = schema(R"xml(
    <xi:include href="messages.xml" xpointer="element(/1/2)"/>
    <xi:include href="messages.xml" xpointer="element(/1/1)"/>)xml");
  Schema parsed = parse_schema(path, {(directory_ / "messages.xml").string()});
  ASSERT_EQ(parsed.messages.size(), 2u);
  EXPECT_EQ(parsed.messages[0].name, "B");
  EXPECT_EQ(parsed.messages[1].name, "A");
  EXPECT_EQ(parsed.messages[1].file, "messages.xml");
}

TEST_F(SchemaFiles, MessageWithoutIncludeRejected) {
  std::string fragment =
      write("frames.xml", R"xml(<messages xmlns:sbe="http://fixprotocol.io/2016/sbe">
      <sbe:message name="A" id="1"/>
      <sbe:message name="B" id="2"/>
    </messages>)xml");
  std::string path = schema(R"xml(<xi:include href="frames.xml" xpointer="element(/1/1)"/>)xml");
  EXPECT_EQ(error_of(path, {fragment}),
            "frames.xml: <sbe:message> 'B' (element 2 under the root) is not included; add "
            "<xi:include href=\"frames.xml\" xpointer=\"element(/1/2)\"/> to schema.xml");
  std::string none = schema("");
  EXPECT_NE(error_of(none, {fragment}).find("'A' (element 1 under the root) is not included"),
            std::string::npos);
}

TEST_F(SchemaFiles, UnsupportedXPointerRejected) {
  write("m.xml", "<messages/>");
  std::string path = schema(R"xml(<xi:include href="m.xml" xpointer="xpointer(/*/*)"/>)xml");
  EXPECT_NE(error_of(path).find("xpointer 'xpointer(/*/*)' is not supported; use element(/1/N)"),
            std::string::npos)
      << error_of(path);
  std::string missing = schema(R"xml(<xi:include href="m.xml" xpointer="element(/1/1)"/>)xml");
  EXPECT_NE(error_of(missing).find("selects no element: m.xml has 0 element children"),
            std::string::npos)
      << error_of(missing);
}

TEST_F(SchemaFiles, InvalidXmlNamesFile) {
  write("broken.xml", "<messages><sbe:message");
  std::string path = schema(R"xml(<xi:include href="broken.xml" xpointer="element(/1/1)"/>)xml");
  EXPECT_NE(error_of(path).find("broken.xml: invalid XML"), std::string::npos) << error_of(path);
}

struct RejectedCase {
  const char* name;
  std::string body;
  std::string expected;
};

TEST_F(SchemaFiles, OutsideSubsetRejected) {
  std::vector<RejectedCase> cases = {
      {"float",
       R"xml(<sbe:message name="M" id="1"><field name="f" id="1" type="float"/></sbe:message>)xml",
       "schema.xml: message 'M': field 'f': type 'float' is not defined"},
      {"float type", R"xml(<types><type name="Price" primitiveType="double"/></types>)xml",
       "schema.xml: types: type 'Price': primitive type 'double' is not supported"},
      {"constant",
       R"xml(<types><type name="C" primitiveType="int8" presence="constant">1</type></types>)xml",
       "schema.xml: types: type 'C': presence=\"constant\" is not supported"},
      {"constant field",
       R"xml(<sbe:message name="M" id="1"><field name="f" id="1" type="int8" presence="constant"/></sbe:message>)xml",
       "schema.xml: message 'M': field 'f': presence=\"constant\" is not supported"},
      {"array", R"xml(<types><type name="Id" primitiveType="char" length="16"/></types>)xml",
       "schema.xml: types: type 'Id': length 16 is not supported"},
      {"set", R"xml(<types><set name="Flags" encodingType="uint8"/></types>)xml",
       "schema.xml: types: set 'Flags': <set> (bit sets) is not supported"},
      {"composite field",
       R"xml(<sbe:message name="M" id="1"><field name="f" id="1" type="groupSizeEncoding"/></sbe:message>)xml",
       "schema.xml: message 'M': field 'f': composite type 'groupSizeEncoding' is not supported "
       "for fields"},
      {"ref",
       R"xml(<types><composite name="Pair"><ref name="a" type="messageHeader"/></composite></types>)xml",
       "schema.xml: types: composite 'Pair': ref 'a': element <ref> is not supported in "
       "<composite>"},
      {"offset",
       R"xml(<sbe:message name="M" id="1"><field name="f" id="1" type="int8" offset="4"/></sbe:message>)xml",
       "schema.xml: message 'M': field 'f': attribute 'offset' is not supported"},
      {"enum encoding",
       R"xml(<types><enum name="E" encodingType="uint32"><validValue name="A">1</validValue></enum></types>)xml",
       "schema.xml: types: enum 'E': encodingType 'uint32' is not supported for enums"},
      {"enum null value",
       R"xml(<types><enum name="E" encodingType="uint8"><validValue name="A">255</validValue></enum></types>)xml",
       "schema.xml: types: enum 'E': validValue 'A': value '255' is the enum's null value"},
      {"since version",
       R"xml(<sbe:message name="M" id="1"><field name="f" id="1" type="int8" sinceVersion="2"/></sbe:message>)xml",
       "schema.xml: message 'M': field 'f': sinceVersion 2 is newer than the schema version 1"},
      {"version order",
       R"xml(<sbe:message name="M" id="1"><field name="a" id="1" type="int8" sinceVersion="1"/><field name="b" id="2" type="int8"/></sbe:message>)xml",
       "schema.xml: message 'M': field 'b': sinceVersion 0 follows a field of version 1"},
      {"field after group",
       R"xml(<sbe:message name="M" id="1"><group name="g" id="1"><field name="x" id="2" type="int8"/></group><field name="b" id="3" type="int8"/></sbe:message>)xml",
       "schema.xml: message 'M': field 'b': fields must come before groups and var data"},
      {"group after data",
       R"xml(<sbe:message name="M" id="1"><data name="d" id="1" type="varStringEncoding"/><group name="g" id="2"/></sbe:message>)xml",
       "schema.xml: message 'M': group 'g': groups must come before var data"},
      {"duplicate template",
       R"xml(<sbe:message name="A" id="1"/><sbe:message name="B" id="1"/>)xml",
       "schema.xml: message 'B': template id 1 is already used by message 'A'"},
      {"reserved name",
       R"xml(<sbe:message name="M" id="1"><field name="size" id="1" type="int8"/></sbe:message>)xml",
       "schema.xml: message 'M': field 'size': name 'size' becomes 'size', which is a C++ keyword "
       "or a generated method name"},
      {"keyword",
       R"xml(<sbe:message name="M" id="1"><field name="class" id="1" type="int8"/></sbe:message>)xml",
       "which is a C++ keyword"},
      {"duplicate name",
       R"xml(<sbe:message name="M" id="1"><field name="roomId" id="1" type="int8"/><field name="room_id" id="2" type="int8"/></sbe:message>)xml",
       "schema.xml: message 'M': field 'room_id': name 'room_id' is used twice in this block"},
      {"bad var data",
       R"xml(<sbe:message name="M" id="1"><data name="d" id="1" type="groupSizeEncoding"/></sbe:message>)xml",
       "a var data composite must be <type name=\"length\">"},
      {"short block",
       R"xml(<sbe:message name="M" id="1" blockLength="2"><field name="f" id="1" type="int32"/></sbe:message>)xml",
       "schema.xml: message 'M': blockLength 2 is shorter than its fields (4 bytes)"},
      {"unknown element", R"xml(<sbe:message name="M" id="1"><widget name="w"/></sbe:message>)xml",
       "schema.xml: message 'M': widget 'w': element <widget> is not supported here"},
      {"missing id", R"xml(<sbe:message name="M"/>)xml",
       "schema.xml: message 'M': missing attribute 'id'"},
  };
  for (const RejectedCase& c : cases) {
    std::string error = error_of(schema(c.body));
    EXPECT_NE(error.find(c.expected), std::string::npos)
        << c.name << ": expected \"" << c.expected << "\" in \"" << error << "\"";
  }
}

TEST_F(SchemaFiles, SchemaAttributesChecked) {
  EXPECT_NE(error_of(schema("", "byteOrder=\"bigEndian\""))
                .find("schema.xml: byteOrder 'bigEndian' is not supported"),
            std::string::npos)
      << error_of(schema("", "byteOrder=\"bigEndian\""));
  std::string bad_header =
      write("bad.xml",
            R"xml(<sbe:messageSchema xmlns:sbe="http://fixprotocol.io/2016/sbe" package="p" id="1">
      <types><composite name="messageHeader"><type name="blockLength" primitiveType="uint8"/></composite></types>
    </sbe:messageSchema>)xml");
  EXPECT_NE(error_of(bad_header)
                .find("the message header must be blockLength, templateId, "
                      "schemaId and version, each uint16"),
            std::string::npos)
      << error_of(bad_header);
}

TEST_F(SchemaFiles, DeepNestingRejected) {
  std::string body = R"xml(<sbe:message name="M" id="1">)xml";
  for (int i = 0; i < 8; ++i) {
    body += "<group name=\"g" + std::to_string(i) + "\" id=\"" + std::to_string(i + 1) + "\">";
  }
  for (int i = 0; i < 8; ++i) {
    body += "</group>";
  }
  body += "</sbe:message>";
  EXPECT_NE(error_of(schema(body)).find("groups nest deeper than 7 levels"), std::string::npos)
      << error_of(schema(body));
}

TEST_F(SchemaFiles, ProjectSchemaParses) {
  std::string root = PARLEY_SOURCE_DIR;
  Schema parsed = parse_schema(root + "/schema/parley.xml", {root + "/schema/kafka-records.xml",
                                                             root + "/schema/client-frames.xml"});
  EXPECT_EQ(parsed.id, 100);
  EXPECT_GE(parsed.messages.size(), 4u);
}

}  // namespace
}  // namespace parley::sbe_gen
