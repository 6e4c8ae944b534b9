// SBE translations of createAccount, login, updateAccount and getAccount,
// and the shared shapes of their replies.

#include "protocol/binary/shapes.hpp"

namespace parley::protocol::binary::detail {
namespace json = boost::json;
namespace {

// {"username"?, "email"?, "password"?}: createAccount, login, updateAccount.
template <typename Encoder, typename Decoder>
struct CredentialsRequest {
  static constexpr std::uint16_t kTemplateId = Encoder::kTemplateId;

  static Result<DecodedFrame> decode(Bytes frame) {
    auto decoder = decode_frame<Decoder>(frame);
    if (!decoder) return decoder.error();
    json::object data;
    if (Status s = put_string(data, "username", decoder->username_present(), decoder->username());
        !s) {
      return s.error();
    }
    if (Status s = put_string(data, "email", decoder->email_present(), decoder->email()); !s) {
      return s.error();
    }
    if (Status s = put_string(data, "password", decoder->password_present(), decoder->password());
        !s) {
      return s.error();
    }
    return DecodedFrame{read_cid(*decoder), std::move(data)};
  }

  static Result<std::string> encode(CidWords cid, const json::value& data) {
    RequestReader reader(data);
    auto username = reader.string(reader.member("username"), "username");
    auto email = reader.string(reader.member("email"), "email");
    auto password = reader.string(reader.member("password"), "password");
    if (!username) return username.error();
    if (!email) return email.error();
    if (!password) return password.error();
    return encode_frame<Encoder>([&](Encoder& encoder) -> Status {
      put_cid(encoder, cid);
      encoder.username_present(username->present)
          .email_present(email->present)
          .password_present(password->present);
      encoder.username(username->value).email(email->value).password(password->value);
      return Done{};
    });
  }
};

using CreateAccountCodec =
    CredentialsRequest<sbe::CreateAccountRequestEncoder, sbe::CreateAccountRequestDecoder>;
using LoginCodec = CredentialsRequest<sbe::LoginRequestEncoder, sbe::LoginRequestDecoder>;
using UpdateAccountCodec =
    CredentialsRequest<sbe::UpdateAccountRequestEncoder, sbe::UpdateAccountRequestDecoder>;

const OperationCodec kAccountCodecs[] = {
    make_codec<CreateAccountCodec,
               AccountReply<sbe::CreateAccountReplyEncoder, sbe::CreateAccountReplyDecoder>>(
        "createAccount"),
    make_codec<LoginCodec, AccountIdReply<sbe::LoginReplyEncoder, sbe::LoginReplyDecoder>>("login"),
    make_codec<UpdateAccountCodec,
               AccountReply<sbe::UpdateAccountReplyEncoder, sbe::UpdateAccountReplyDecoder>>(
        "updateAccount"),
    make_codec<BareIdRequest<sbe::GetAccountRequestEncoder, sbe::GetAccountRequestDecoder>,
               AccountReply<sbe::GetAccountReplyEncoder, sbe::GetAccountReplyDecoder>>(
        "getAccount"),
};

}  // namespace

std::span<const OperationCodec> account_codecs() { return kAccountCodecs; }

}  // namespace parley::protocol::binary::detail
