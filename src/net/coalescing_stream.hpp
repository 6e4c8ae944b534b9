#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include "net/flush_scheduler.hpp"
#include "net/io_metrics.hpp"

namespace parley::net {

// A TCP stream that gathers what a connection writes in one buffer and
// sends it with one system call per I/O-thread turn. WebSocketSession puts
// it under Beast's WebSocket stream and writes its data frames straight into
// it with write_frame(). Beast's handshake response and control frames
// (ping, pong, close) arrive through async_write_some() into the same
// buffer. Every write appends whole bytes at once, so frames never
// interleave on the socket.
//
// The first bytes appended after a flush post one flush to the executor, so
// everything the connection writes until that handler runs (the frames of
// every Kafka record the thread delivers meanwhile) leaves in one socket
// write. Pushes written with write_push() wait for the I/O thread's
// FlushScheduler instead, which may hold them for a short window so that
// more of them share a write. At most one socket write is in progress;
// bytes appended meanwhile follow in the next.
//
// Beast's writes complete as soon as their bytes are copied. The buffer is
// bounded by the caller: WebSocketSession closes a connection whose
// queued_bytes() pass its send-queue limit.
//
// Thread safety: like the TCP stream, one thread or strand at a time.
class CoalescingStream {
 public:
  using next_layer_type = boost::beast::tcp_stream;
  using executor_type = next_layer_type::executor_type;

  // Counts socket writes and keeps metrics.send_queue_bytes in step with
  // queued_bytes(). `metrics` and `pushes` must outlive the stream. Without
  // `pushes`, write_push() flushes like write_frame().
  CoalescingStream(next_layer_type&& next, IoMetrics& metrics, FlushScheduler* pushes = nullptr)
      : next_(std::move(next)), state_(std::make_shared<State>(&next_, metrics, pushes)) {}
  // A socket write still in progress then completes with operation_aborted
  // and touches only the shared state.
  ~CoalescingStream() {
    state_->next = nullptr;
    state_->discard_pending();
  }

  CoalescingStream(const CoalescingStream&) = delete;
  CoalescingStream& operator=(const CoalescingStream&) = delete;

  executor_type get_executor() { return next_.get_executor(); }
  next_layer_type& next_layer() { return next_; }

  // Appends one unmasked, unfragmented WebSocket data frame (RFC 6455
  // section 5.2) carrying `payload`, as a server sends it.
  void write_frame(std::string_view payload, bool binary) {
    if (append_frame(payload, binary)) State::schedule_flush(state_);
  }

  // Appends a frame like write_frame() and leaves its flush to the
  // FlushScheduler, unless a flush is already due.
  void write_push(std::string_view payload, bool binary) {
    if (append_frame(payload, binary)) State::schedule_push_flush(state_);
  }

  // Bytes accepted and not yet written to the socket.
  std::size_t queued_bytes() const { return state_->pending.size() + state_->sending.size(); }
  // Bytes written to the socket since the stream was made.
  std::uint64_t bytes_written() const { return state_->written; }
  // Socket write operations started.
  std::uint64_t socket_writes() const { return state_->writes; }

  // Drops the bytes that wait for the next socket write, which always start
  // at a frame boundary. The write in progress finishes.
  void discard_pending() { state_->discard_pending(); }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this](auto completion, const ConstBuffers& data) {
          State& state = *state_;
          if (state.failure) {
            return post_completion(state.executor, std::move(completion), state.failure,
                                   std::size_t{0});
          }
          std::size_t size = 0;
          for (auto it = boost::asio::buffer_sequence_begin(data);
               it != boost::asio::buffer_sequence_end(data); ++it) {
            boost::asio::const_buffer buffer(*it);
            state.pending.append(static_cast<const char*>(buffer.data()), buffer.size());
            size += buffer.size();
          }
          state.appended(size);
          State::schedule_flush(state_);
          post_completion(state.executor, std::move(completion), boost::beast::error_code{}, size);
        },
        handler, buffers);
  }

  // Completes once every accepted byte was written to the socket, or with
  // the error of the socket write that failed.
  template <class Handler>
  auto async_drain(Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code)>(
        [this](auto completion) {
          State& state = *state_;
          if (state.failure || (state.pending.empty() && !state.flushing)) {
            return post_completion(state.executor, std::move(completion), state.failure);
          }
          state.drained.emplace(std::move(completion));
          State::schedule_flush(state_);
        },
        handler);
  }

 private:
  using DrainCompletion = boost::asio::any_completion_handler<void(boost::beast::error_code)>;

  // Returns false when the stream failed and dropped the frame.
  bool append_frame(std::string_view payload, bool binary) {
    State& state = *state_;
    if (state.failure) return false;
    append_frame_header(state.pending, payload.size(), binary);
    state.pending.append(payload);
    state.appended(header_size(payload.size()) + payload.size());
    return true;
  }

  static std::size_t header_size(std::size_t payload) {
    if (payload < 126) return 2;
    return payload <= 0xFFFF ? 4 : 10;
  }

  static void append_frame_header(std::string& out, std::size_t payload, bool binary) {
    constexpr unsigned char kFin = 0x80;
    constexpr unsigned char kText = 0x1;
    constexpr unsigned char kBinary = 0x2;
    out.push_back(static_cast<char>(kFin | (binary ? kBinary : kText)));
    if (payload < 126) {
      out.push_back(static_cast<char>(payload));
      return;
    }
    const int length_bytes = payload <= 0xFFFF ? 2 : 8;
    out.push_back(static_cast<char>(length_bytes == 2 ? 126 : 127));
    for (int shift = (length_bytes - 1) * 8; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((static_cast<std::uint64_t>(payload) >> shift) & 0xFF));
    }
  }

  // Posts the completion, so that it never runs inside the call that
  // started its operation.
  template <class Completion, class... Args>
  static void post_completion(const executor_type& executor, Completion&& completion,
                              Args... args) {
    boost::asio::post(executor, boost::beast::bind_handler(std::forward<Completion>(completion),
                                                           std::move(args)...));
  }

  // Everything a posted flush or a socket write in progress needs, shared
  // with their handlers.
  struct State : Flushable, std::enable_shared_from_this<State> {
    State(next_layer_type* next_layer, IoMetrics& io_metrics, FlushScheduler* push_scheduler)
        : next(next_layer),
          executor(next_layer->get_executor()),
          metrics(io_metrics),
          pushes(push_scheduler) {}

    // Runs when the FlushScheduler's window ends.
    void flush() override {
      push_flush_scheduled = false;
      start_flush(shared_from_this());
    }

    void appended(std::size_t bytes) {
      metrics.send_queue_bytes.add(static_cast<std::int64_t>(bytes));
    }

    void discard_pending() {
      metrics.send_queue_bytes.add(-static_cast<std::int64_t>(pending.size()));
      std::string().swap(pending);
    }

    static void schedule_flush(const std::shared_ptr<State>& self) {
      if (self->flush_posted || self->flushing) return;
      self->flush_posted = true;
      boost::asio::post(self->executor, [self] {
        self->flush_posted = false;
        start_flush(self);
      });
    }

    static void schedule_push_flush(const std::shared_ptr<State>& self) {
      if (self->pushes == nullptr) return schedule_flush(self);
      if (self->push_flush_scheduled || self->flush_posted || self->flushing) return;
      self->push_flush_scheduled = true;
      self->pushes->schedule(self);
    }

    static void start_flush(const std::shared_ptr<State>& self) {
      State& state = *self;
      if (state.flushing || state.pending.empty() || state.failure || !state.next) return;
      state.flushing = true;
      state.sending.swap(state.pending);
      ++state.writes;
      state.metrics.socket_writes.add();
      boost::asio::async_write(
          *state.next, boost::asio::buffer(state.sending),
          [self](boost::beast::error_code ec, std::size_t) { on_flushed(self, ec); });
    }

    static void on_flushed(const std::shared_ptr<State>& self, boost::beast::error_code ec) {
      State& state = *self;
      state.flushing = false;
      state.metrics.send_queue_bytes.add(-static_cast<std::int64_t>(state.sending.size()));
      if (!ec) state.written += state.sending.size();
      // Freed rather than kept, so that an idle connection keeps no write
      // buffer: one allocation per socket write, not per frame.
      std::string().swap(state.sending);
      if (ec) {
        state.failure = ec;
        state.discard_pending();
      } else {
        // Bytes appended during the write already waited for one.
        start_flush(self);
      }
      if (state.drained && (state.failure || (!state.flushing && state.pending.empty()))) {
        post_completion(state.executor, std::move(*state.drained), state.failure);
        state.drained.reset();
      }
    }

    // Null once the stream is destroyed.
    next_layer_type* next;
    executor_type executor;
    IoMetrics& metrics;
    FlushScheduler* pushes;
    // Accepted bytes that wait for a socket write.
    std::string pending;
    // Bytes of the socket write in progress.
    std::string sending;
    bool flush_posted = false;
    // This state is in the FlushScheduler's current window.
    bool push_flush_scheduled = false;
    bool flushing = false;
    std::uint64_t written = 0;
    std::uint64_t writes = 0;
    // The error of the first failed socket write. Later writes fail with
    // it, and write_frame() drops its frame.
    boost::beast::error_code failure;
    std::optional<DrainCompletion> drained;
  };

  next_layer_type next_;
  std::shared_ptr<State> state_;
};

namespace detail {

// Drains the coalescing stream, then tears the TCP connection down.
struct CoalescingTeardownOp {
  CoalescingStream& stream;
  boost::beast::role_type role;
  int step = 0;

  template <class Self>
  void operator()(Self& self, boost::beast::error_code ec = {}) {
    switch (step++) {
      case 0:
        return stream.async_drain(std::move(self));
      case 1:
        if (ec) return self.complete(ec);
        {
          using boost::beast::websocket::async_teardown;
          return async_teardown(role, stream.next_layer(), std::move(self));
        }
      default:
        return self.complete(ec);
    }
  }
};

}  // namespace detail

// Beast's WebSocket stream ends a connection with async_teardown() on its
// next layer, found by argument-dependent lookup. The bytes still in the
// buffer, the close frame among them, are written first.
template <class Handler>
void async_teardown(boost::beast::role_type role, CoalescingStream& stream, Handler&& handler) {
  boost::asio::async_compose<Handler, void(boost::beast::error_code)>(
      detail::CoalescingTeardownOp{stream, role}, handler, stream);
}

}  // namespace parley::net
