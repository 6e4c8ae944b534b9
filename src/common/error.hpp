#pragma once

#include <string>
#include <utility>
#include <variant>

namespace parley {

// An error that reaches a client: an HTTP-like code from the protocol's
// catalogue (400, 401, 403, 404, 429, 500, 503) and its exact message.
struct Error {
  int code = 500;
  std::string message;

  friend bool operator==(const Error&, const Error&) = default;
};

// The value of an operation or the Error that stopped it. Used on every path
// that can fail because of client input or a dependency, instead of throwing.
template <typename T>
class Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

// Result of an operation that has no value besides success.
struct Done {
  friend bool operator==(const Done&, const Done&) = default;
};
using Status = Result<Done>;

}  // namespace parley
