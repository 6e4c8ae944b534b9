#pragma once

#include <memory>
#include <string>

#include <boost/json.hpp>

#include "client/binary_codec.hpp"
#include "client/connection.hpp"
#include "integration/protocol/protocol_fixture.hpp"

namespace parley::testing {

// Protocol tests that run the same requests over binary (SBE) and text
// (JSON) frames and compare the replies.
class BinaryTest : public ProtocolTest {
 protected:
  // A connection to `node` whose call() sends SBE frames.
  std::unique_ptr<client::Connection> connect_binary(std::size_t node = 0) {
    auto connection = connect(node);
    if (connection) connection->set_encoding(client::Encoding::kSbe);
    return connection;
  }

  std::unique_ptr<client::Connection> logged_in_binary(const TestAccount& account,
                                                       std::size_t node = 0) {
    auto connection = connect_binary(node);
    if (connection) login(*connection, account);
    return connection;
  }

  // Sends the same request on `json` and on `binary` and checks that both
  // replies are the same error, or both successes with equal data when
  // `compare_data` is set. Returns the binary reply.
  Result<boost::json::value> expect_same(client::Connection& json, client::Connection& binary,
                                         std::string_view operation, const boost::json::value& data,
                                         bool compare_data = true) {
    SCOPED_TRACE(std::string(operation) + " " + boost::json::serialize(data));
    auto from_json = json.call(operation, data);
    auto from_binary = binary.call(operation, data);
    EXPECT_EQ(from_json.ok(), from_binary.ok());
    if (!from_json.ok() && !from_binary.ok()) {
      EXPECT_EQ(from_binary.error().code, from_json.error().code);
      EXPECT_EQ(from_binary.error().message, from_json.error().message);
    } else if (from_json.ok() && from_binary.ok() && compare_data) {
      EXPECT_EQ(boost::json::serialize(*from_binary), boost::json::serialize(*from_json));
    } else if (!from_binary.ok()) {
      ADD_FAILURE() << "binary error " << from_binary.error().code << ": "
                    << from_binary.error().message;
    } else if (!from_json.ok()) {
      ADD_FAILURE() << "JSON error " << from_json.error().code << ": " << from_json.error().message;
    }
    return from_binary;
  }
};

}  // namespace parley::testing
