// FunctionRef: a callable passed down a call, by reference. Two pointers (the callable, and a
// function that calls it); never copies the callable and never allocates, where a std::function
// built from a lambda capturing more than its small buffer (16 bytes in libstdc++) allocates on
// every call of the function taking it (parseDnsResponse: once per DNS response).
//
// It does not own what it refers to: keep it as a parameter, never store one beyond the call it
// was passed to (a FunctionRef made from a temporary lambda dangles after that full expression).
//
// Threads: as the callable it refers to.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

namespace camwatch {

template <typename Signature>
class FunctionRef;

template <typename R, typename... Args>
class FunctionRef<R(Args...)> {
 public:
  /// Refers to `callable` (a lambda, a function object, a function or function pointer).
  template <typename F>
  requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
           std::is_invocable_r_v<R, F&, Args...>) FunctionRef(F&& callable)
  noexcept  // NOLINT(google-explicit-constructor): lambdas convert
  {
    using Callable = std::remove_reference_t<F>;
    if constexpr (std::is_function_v<Callable>) {
      // A function itself: its address is a function pointer, which void* need not hold.
      referent_.function = reinterpret_cast<void (*)()>(&callable);
      call_ = [](Referent referent, Args... args) -> R {
        return std::invoke(reinterpret_cast<Callable*>(referent.function),
                           std::forward<Args>(args)...);
      };
    } else {
      referent_.object = const_cast<void*>(static_cast<const void*>(std::addressof(callable)));
      call_ = [](Referent referent, Args... args) -> R {
        return std::invoke(*static_cast<Callable*>(referent.object), std::forward<Args>(args)...);
      };
    }
  }

  R operator()(Args... args) const { return call_(referent_, std::forward<Args>(args)...); }

 private:
  union Referent {
    void* object;
    void (*function)();
  };
  Referent referent_;
  R (*call_)(Referent, Args...);
};

}  // namespace camwatch
