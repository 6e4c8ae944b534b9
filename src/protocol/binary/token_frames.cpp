// SBE translations of createToken, loginWithToken and logout.

#include "protocol/binary/shapes.hpp"

namespace parley::protocol::binary::detail {
namespace json = boost::json;
namespace {

struct LoginWithTokenRequest {
  using Encoder = sbe::LoginWithTokenRequestEncoder;
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<sbe::LoginWithTokenRequestDecoder>(frame);
    if (!decoder) return decoder.error();
    json::object data;
    if (Status s = put_string(data, "token", decoder->token_present(), decoder->token()); !s) {
      return s.error();
    }
    return DecodedFrame{read_cid(*decoder), std::move(data)};
  }

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    RequestReader reader(data);
    auto token = reader.string(reader.member("token"), "token");
    if (!token) return token.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.token_present(token->present);
      encoder.token(token->value);
      return Done{};
    });
  }
};

struct CreateTokenReply {
  using Encoder = sbe::CreateTokenReplyEncoder;
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    ReplyReader reader(data);
    auto result = reader.object();
    if (!result) return result.error();
    auto token = reader.string(**result, "token");
    auto expires_at = reader.time(**result, "expiresAt");
    if (!token) return token.error();
    if (!expires_at) return expires_at.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.expires_at(*expires_at);
      encoder.token(*token);
      return Done{};
    });
  }

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<sbe::CreateTokenReplyDecoder>(frame);
    if (!decoder) return decoder.error();
    json::object result;
    if (Status s = put_string(result, "token", 1, decoder->token()); !s) return s.error();
    if (Status s = put_time(result, "expiresAt", decoder->expires_at()); !s) return s.error();
    return DecodedFrame{read_cid(*decoder), std::move(result)};
  }
};

const OperationCodec kTokenCodecs[] = {
    make_codec<EmptyRequest<sbe::CreateTokenRequestEncoder, sbe::CreateTokenRequestDecoder>,
               CreateTokenReply>("createToken"),
    make_codec<LoginWithTokenRequest,
               AccountIdReply<sbe::LoginWithTokenReplyEncoder, sbe::LoginWithTokenReplyDecoder>>(
        "loginWithToken"),
    make_codec<EmptyRequest<sbe::LogoutRequestEncoder, sbe::LogoutRequestDecoder>,
               AccountIdReply<sbe::LogoutReplyEncoder, sbe::LogoutReplyDecoder>>("logout"),
};

}  // namespace

std::span<const OperationCodec> token_codecs() { return kTokenCodecs; }

}  // namespace parley::protocol::binary::detail
