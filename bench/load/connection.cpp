#include "connection.hpp"

#include <charconv>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <netinet/in.h>

#include "encoding.hpp"

namespace parley::bench {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace beast_websocket = boost::beast::websocket;
using websocket::Opcode;
using tcp = asio::ip::tcp;

namespace {

constexpr std::string_view kPushQualifier = "\"v1/syemessenger/messages\"";
constexpr std::string_view kErrorQualifier = "\"v1/syemessenger/error\"";
// The qualifier of a push or an error comes within this many bytes of the
// start, because the server writes the qualifier before `data`.
constexpr std::size_t kQualifierSearchBytes = 96;
constexpr auto kConnectTimeout = std::chrono::seconds(10);
// Initial read buffer; it doubles while one frame does not fit.
constexpr std::size_t kReadChunkBytes = 64 * 1024;
// Largest frame accepted, far above any reply of the workloads.
constexpr std::size_t kMaxPayloadBytes = 64 * 1024 * 1024;

bool contains_near_start(std::string_view frame, std::string_view needle) {
  return frame.substr(0, kQualifierSearchBytes).find(needle) != std::string_view::npos;
}

}  // namespace

std::optional<Endpoint> parse_endpoint(std::string_view url) {
  constexpr std::string_view kScheme = "ws://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  url.remove_prefix(kScheme.size());
  const auto slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  Endpoint endpoint;
  endpoint.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  const auto colon = authority.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  endpoint.host = std::string(authority.substr(0, colon));
  std::string_view port = authority.substr(colon + 1);
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), endpoint.port);
  if (error != std::errc{} || end != port.data() + port.size() || endpoint.port == 0) {
    return std::nullopt;
  }
  return endpoint;
}

Connection::Connection(asio::io_context& context, SourceAddresses& sources)
    : context_(context),
      sources_(sources),
      ws_(context),
      mask_state_(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(this)) | 1u) {}

void Connection::connect(const Endpoint& endpoint, ConnectHandler on_done) {
  asio::dispatch(context_, [self = shared_from_this(), endpoint, on_done = std::move(on_done)] {
    self->start_connect(endpoint, on_done, SourceAddresses::kMaxAddresses);
  });
}

void Connection::start_connect(const Endpoint& endpoint, ConnectHandler on_done,
                               int attempts_left) {
  beast::error_code error;
  auto& socket = beast::get_lowest_layer(ws_).socket();
  if (socket.is_open()) socket.close(error);
  source_index_ = sources_.current();
  socket.open(tcp::v4(), error);
  if (!error) {
    // Lets the kernel pick the source port at connect(), per destination,
    // instead of at bind(), so one source address serves more connections.
    int enabled = 1;
    ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &enabled,
                 sizeof enabled);
    socket.bind(
        tcp::endpoint(asio::ip::make_address(SourceAddresses::address_of(source_index_)), 0),
        error);
  }
  if (error) {
    on_tcp_connected(endpoint, std::move(on_done), attempts_left, error);
    return;
  }
  tcp::endpoint target(asio::ip::make_address(endpoint.host, error), endpoint.port);
  if (error) {
    on_done(error);
    return;
  }
  beast::get_lowest_layer(ws_).expires_after(kConnectTimeout);
  beast::get_lowest_layer(ws_).async_connect(
      target, [self = shared_from_this(), endpoint, on_done = std::move(on_done),
               attempts_left](const beast::error_code& connect_error) mutable {
        self->on_tcp_connected(endpoint, std::move(on_done), attempts_left, connect_error);
      });
}

void Connection::on_tcp_connected(const Endpoint& endpoint, ConnectHandler on_done,
                                  int attempts_left, const beast::error_code& error) {
  if (error == boost::system::errc::address_not_available || error == asio::error::address_in_use) {
    if (attempts_left > 1 && sources_.advance_past(source_index_)) {
      start_connect(endpoint, std::move(on_done), attempts_left - 1);
      return;
    }
  }
  if (error) {
    on_done(error);
    return;
  }
  beast::get_lowest_layer(ws_).socket().set_option(tcp::no_delay(true));
  ws_.set_option(beast_websocket::stream_base::timeout::suggested(beast::role_type::client));
  ws_.auto_fragment(false);
  ws_.read_message_max(0);
  ws_.async_handshake(endpoint.host + ":" + std::to_string(endpoint.port), endpoint.path,
                      [self = shared_from_this(),
                       on_done = std::move(on_done)](const beast::error_code& handshake_error) {
                        beast::get_lowest_layer(self->ws_).expires_never();
                        if (!handshake_error) {
                          // The server sends nothing before the first
                          // request, so Beast's buffer contains no bytes of a frame.
                          self->open_ = true;
                          self->read_next();
                        }
                        on_done(handshake_error);
                      });
}

void Connection::request(std::string frame, ReplyHandler on_reply, bool binary) {
  asio::dispatch(context_, [self = shared_from_this(), frame = std::move(frame),
                            on_reply = std::move(on_reply), binary]() mutable {
    if (!self->open_) {
      on_reply(true, {});
      return;
    }
    self->pending_.push_back(std::move(on_reply));
    self->queue_frame(binary ? Opcode::kBinary : Opcode::kText, frame);
  });
}

void Connection::close() {
  asio::dispatch(context_, [self = shared_from_this()] {
    if (!self->open_) return;
    self->open_ = false;
    self->closing_ = true;
    // Status code 1000 (normal closure), big-endian. The server replies
    // with its own close frame and ends the connection.
    constexpr char kNormalClosure[] = {'\x03', '\xE8'};
    self->queue_frame(Opcode::kClose, std::string_view(kNormalClosure, sizeof kNormalClosure));
  });
}

void Connection::read_next() {
  if (read_start_ == read_end_) {
    read_start_ = 0;
    read_end_ = 0;
  }
  if (read_end_ == read_buffer_.size()) {
    if (read_start_ > 0) {
      read_buffer_.erase(0, read_start_);
      read_end_ -= read_start_;
      read_start_ = 0;
      read_buffer_.resize(read_buffer_.capacity());
    }
    if (read_end_ == read_buffer_.size()) {
      read_buffer_.resize(std::max(read_buffer_.size() * 2, kReadChunkBytes));
    }
  }
  beast::get_lowest_layer(ws_).socket().async_read_some(
      asio::buffer(read_buffer_.data() + read_end_, read_buffer_.size() - read_end_),
      beast::bind_front_handler(&Connection::on_read, shared_from_this()));
}

void Connection::on_read(const beast::error_code& error, std::size_t bytes) {
  if (error) {
    fail(closing_ ? beast::error_code{} : error);
    return;
  }
  read_end_ += bytes;
  while (!failed_) {
    const std::string_view unparsed(read_buffer_.data() + read_start_, read_end_ - read_start_);
    const websocket::FrameResult parsed =
        websocket::parse_frame(unparsed, websocket::Sender::kServer, kMaxPayloadBytes);
    if (parsed.status == websocket::ParseStatus::kIncomplete) break;
    // A Parley node sends every message in one frame.
    const bool fragment =
        parsed.status == websocket::ParseStatus::kFrame &&
        (!parsed.frame.header.fin || parsed.frame.header.opcode == Opcode::kContinuation);
    if (parsed.status == websocket::ParseStatus::kInvalid || fragment) {
      fail(make_error_code(boost::system::errc::protocol_error));
      return;
    }
    read_start_ += parsed.consumed;
    if (!handle_frame(parsed.frame)) return;
  }
  if (!failed_) read_next();
}

bool Connection::handle_frame(const websocket::Frame& frame) {
  switch (frame.header.opcode) {
    case Opcode::kText:
    case Opcode::kBinary:
      handle_message(frame.payload, frame.header.opcode == Opcode::kBinary);
      return !failed_;
    case Opcode::kPing:
      queue_frame(Opcode::kPong, frame.payload);
      return true;
    case Opcode::kClose:
      fail(closing_ ? beast::error_code{} : beast::error_code(beast_websocket::error::closed));
      return false;
    default:
      return true;
  }
}

void Connection::handle_message(std::string_view frame, bool binary) {
  std::optional<std::string> decoded;
  if (binary) {
    decoded = binary_frame_as_json(frame);
    frame = decoded ? std::string_view(*decoded) : std::string_view();
  }
  if (contains_near_start(frame, kPushQualifier)) {
    if (on_push_) on_push_(frame);
  } else if (!pending_.empty()) {
    ReplyHandler handler = std::move(pending_.front());
    pending_.pop_front();
    handler(contains_near_start(frame, kErrorQualifier), frame);
  }
}

void Connection::queue_frame(Opcode opcode, std::string_view payload) {
  if (failed_) return;
  websocket::append_client_frame(write_pending_, opcode, payload, next_mask_key());
  if (!writing_) write_next();
}

void Connection::write_next() {
  if (write_pending_.empty() || failed_) {
    writing_ = false;
    return;
  }
  writing_ = true;
  write_sending_.swap(write_pending_);
  asio::async_write(beast::get_lowest_layer(ws_).socket(), asio::buffer(write_sending_),
                    beast::bind_front_handler(&Connection::on_write, shared_from_this()));
}

void Connection::on_write(const beast::error_code& error, std::size_t) {
  writing_ = false;
  if (error) {
    fail(closing_ ? beast::error_code{} : error);
    return;
  }
  write_sending_.clear();
  write_next();
}

std::uint32_t Connection::next_mask_key() {
  // xorshift32: the server only unmasks, so any sequence of keys will do.
  mask_state_ ^= mask_state_ << 13;
  mask_state_ ^= mask_state_ >> 17;
  mask_state_ ^= mask_state_ << 5;
  return mask_state_;
}

void Connection::fail(const beast::error_code& error) {
  if (failed_) return;
  failed_ = true;
  open_ = false;
  write_pending_.clear();
  // Moved out first: a handler may start a new request on this object.
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& handler : pending) handler(true, {});
  if (on_closed_) on_closed_(error);
}

}  // namespace parley::bench
