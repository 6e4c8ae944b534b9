#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/beast/websocket/teardown.hpp>

#include "net/io_metrics.hpp"

namespace parley::net {

// A TCP stream that gathers the bytes of many writes in user space and sends
// them with one system call. WebSocketSession puts it under Beast's
// WebSocket stream, so that every frame, Beast's pings, pongs and close
// frames included, passes through this one buffer in order and no two
// frames can interleave on the socket.
//
// A write completes as soon as its bytes are copied into the buffer. While
// the stream is held, the bytes wait for release(); otherwise a flush starts
// at once. Once more than `flush_threshold` bytes wait, a flush starts even
// while held, and the write that crossed the threshold completes only when
// a flush has taken its bytes, which passes the socket's back-pressure on
// to the writer. At most one socket write is in progress.
//
// Beast issues at most one write at a time on its next layer, which this
// stream relies on: a second write while one waits for room is a bug.
//
// Thread safety: like the TCP stream, one strand at a time.
class CoalescingStream {
 public:
  using next_layer_type = boost::beast::tcp_stream;
  using executor_type = next_layer_type::executor_type;

  // `socket_writes` counts the socket write operations; it may be null.
  CoalescingStream(next_layer_type&& next, std::size_t flush_threshold, LocalCounter* socket_writes)
      : next_(std::move(next)),
        state_(std::make_shared<State>(&next_, flush_threshold, socket_writes)) {}
  // A socket write still in progress completes with operation_aborted and
  // then touches only the shared state.
  ~CoalescingStream() { state_->next = nullptr; }

  CoalescingStream(const CoalescingStream&) = delete;
  CoalescingStream& operator=(const CoalescingStream&) = delete;

  executor_type get_executor() { return next_.get_executor(); }
  next_layer_type& next_layer() { return next_; }

  // Makes bytes wait in the buffer until release() or the threshold.
  void hold() { state_->held = true; }
  // Ends hold() and flushes what waits.
  void release() {
    state_->held = false;
    State::start_flush(state_);
  }

  // Bytes accepted by writes and not yet taken by a socket write.
  std::size_t pending_bytes() const { return state_->pending.size(); }

  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return next_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::beast::error_code, std::size_t)>(
        [this](auto completion, const ConstBuffers& data) {
          state_->accept_write(state_, data, std::move(completion));
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
          State::start_flush(state_);
        },
        handler);
  }

 private:
  using WriteCompletion =
      boost::asio::any_completion_handler<void(boost::beast::error_code, std::size_t)>;
  using DrainCompletion = boost::asio::any_completion_handler<void(boost::beast::error_code)>;

  // Posts the completion to its associated executor; a completion never
  // runs inside the call that started its operation.
  template <class Completion, class... Args>
  static void post_completion(const executor_type& executor, Completion&& completion,
                              Args... args) {
    boost::asio::post(executor, boost::beast::bind_handler(std::forward<Completion>(completion),
                                                           std::move(args)...));
  }

  // Everything a socket write in progress needs, shared with its handler.
  struct State {
    State(next_layer_type* next_layer, std::size_t threshold, LocalCounter* writes)
        : next(next_layer),
          executor(next_layer->get_executor()),
          flush_threshold(threshold),
          socket_writes(writes) {}

    template <class ConstBuffers, class Completion>
    static void accept_write(const std::shared_ptr<State>& self, const ConstBuffers& data,
                             Completion&& completion) {
      State& state = *self;
      if (state.failure) {
        return post_completion(state.executor, std::forward<Completion>(completion), state.failure,
                               std::size_t{0});
      }
      std::size_t size = 0;
      for (auto it = boost::asio::buffer_sequence_begin(data);
           it != boost::asio::buffer_sequence_end(data); ++it) {
        boost::asio::const_buffer buffer(*it);
        state.pending.append(static_cast<const char*>(buffer.data()), buffer.size());
        size += buffer.size();
      }
      if (state.pending.size() <= state.flush_threshold) {
        if (!state.held) start_flush(self);
        return post_completion(state.executor, std::forward<Completion>(completion),
                               boost::beast::error_code{}, size);
      }
      state.waiting.emplace(std::forward<Completion>(completion));
      state.waiting_bytes = size;
      start_flush(self);
    }

    static void start_flush(const std::shared_ptr<State>& self) {
      State& state = *self;
      if (state.flushing || state.pending.empty() || state.failure || !state.next) return;
      state.flushing = true;
      state.sending.swap(state.pending);
      if (state.socket_writes) state.socket_writes->add();
      boost::asio::async_write(
          *state.next, boost::asio::buffer(state.sending),
          [self](boost::beast::error_code ec, std::size_t) { on_flushed(self, ec); });
      // The bytes of a waiting write are taken now.
      if (state.waiting) {
        post_completion(state.executor, std::move(*state.waiting), boost::beast::error_code{},
                        state.waiting_bytes);
        state.waiting.reset();
      }
    }

    static void on_flushed(const std::shared_ptr<State>& self, boost::beast::error_code ec) {
      State& state = *self;
      state.flushing = false;
      // The buffer is freed, not kept, so that an idle connection holds no
      // write buffer. That is one allocation per socket write, not per frame.
      std::string().swap(state.sending);
      if (ec) {
        state.failure = ec;
        state.pending.clear();
        if (state.waiting) {
          post_completion(state.executor, std::move(*state.waiting), ec, std::size_t{0});
          state.waiting.reset();
        }
      } else if (!state.held || state.pending.size() > state.flush_threshold || state.drained) {
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
    std::size_t flush_threshold;
    LocalCounter* socket_writes;
    // Accepted bytes that wait for a flush.
    std::string pending;
    // Bytes of the socket write in progress.
    std::string sending;
    bool held = false;
    bool flushing = false;
    // The error of the first failed socket write; every later write fails
    // with it.
    boost::beast::error_code failure;
    // A write over the threshold waits for a flush to take its bytes.
    std::optional<WriteCompletion> waiting;
    std::size_t waiting_bytes = 0;
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
