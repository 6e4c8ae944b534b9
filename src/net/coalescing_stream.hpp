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
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>

#include "net/flush_scheduler.hpp"
#include "net/io_metrics.hpp"
#include "websocket/frames.hpp"

namespace parley::net {

// The write side of a server's WebSocket connection: it gathers what the
// connection writes in one buffer and sends it with one system call per
// I/O-thread turn. WebSocketSession writes the handshake response, its
// data frames and its control frames (ping, pong, close) into it. Every
// write appends whole frames at once, so frames never interleave on the
// socket.
//
// The first bytes appended after a flush post one flush to the executor, so
// everything the connection writes until that handler runs (the frames of
// every Kafka record the thread delivers meanwhile) leaves in one socket
// write. Pushes written with write_push() wait for the I/O thread's
// FlushScheduler instead, which may hold them for a short window so that
// more of them share a write. At most one socket write is in progress;
// bytes appended meanwhile follow in the next.
//
// The buffer is bounded by the caller: WebSocketSession closes a
// connection whose queued_bytes() pass its send-queue limit.
//
// Thread safety: like the TCP stream, one thread or strand at a time.
class CoalescingStream {
 public:
  using next_layer_type = boost::asio::ip::tcp::socket;
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
  next_layer_type& socket() { return next_; }

  // Appends one unmasked, unfragmented WebSocket data frame (RFC 6455
  // section 5.2) carrying `payload`, as a server sends it.
  void write_frame(std::string_view payload, bool binary) {
    if (append_frame(data_opcode(binary), payload)) State::schedule_flush(state_);
  }

  // Appends a frame like write_frame() and leaves its flush to the
  // FlushScheduler, unless a flush is already due.
  void write_push(std::string_view payload, bool binary) {
    if (append_frame(data_opcode(binary), payload)) State::schedule_push_flush(state_);
  }

  // Appends a control frame (ping, pong or close) of at most 125 bytes.
  void write_control(websocket::Opcode opcode, std::string_view payload) {
    if (append_frame(opcode, payload)) State::schedule_flush(state_);
  }

  // Appends bytes as they are, such as the handshake response, which
  // discard_pending() keeps.
  void write_bytes(std::string_view bytes) {
    State& state = *state_;
    if (state.failure) return;
    state.pending.append(bytes);
    state.raw_prefix_bytes = state.pending.size();
    state.appended(bytes.size());
    State::schedule_flush(state_);
  }

  // Bytes accepted and not yet written to the socket.
  std::size_t queued_bytes() const { return state_->pending.size() + state_->sending.size(); }
  // Bytes written to the socket since the stream was made.
  std::uint64_t bytes_written() const { return state_->written; }
  // Socket write operations started.
  std::uint64_t socket_writes() const { return state_->writes; }

  // Drops the frames that wait for the next socket write, but not the bytes
  // of write_bytes() before them. The write in progress finishes.
  void discard_pending() { state_->discard_pending(state_->raw_prefix_bytes); }

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

  static websocket::Opcode data_opcode(bool binary) {
    return binary ? websocket::Opcode::kBinary : websocket::Opcode::kText;
  }

  // Returns false when the stream failed and dropped the frame.
  bool append_frame(websocket::Opcode opcode, std::string_view payload) {
    State& state = *state_;
    if (state.failure) return false;
    websocket::append_server_frame(state.pending, opcode, payload);
    state.appended(websocket::server_header_size(payload.size()) + payload.size());
    return true;
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

    // Drops the pending bytes after the first `keep`.
    void discard_pending(std::size_t keep = 0) {
      metrics.send_queue_bytes.add(-static_cast<std::int64_t>(pending.size() - keep));
      if (keep == 0) {
        std::string().swap(pending);
        raw_prefix_bytes = 0;
      } else {
        pending.resize(keep);
      }
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
      state.raw_prefix_bytes = 0;
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
    // Bytes at the start of `pending` that discard_pending() keeps.
    std::size_t raw_prefix_bytes = 0;
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

}  // namespace parley::net
