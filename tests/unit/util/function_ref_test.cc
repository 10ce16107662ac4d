// Tests of camwatch/function_ref.h: FunctionRef calls the callable it was made from (not a copy),
// passes arguments and results through, takes functions and function pointers, and allocates
// nothing where std::function does.
#include <array>
#include <cstdlib>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>

#include <camwatch/function_ref.h>

// Counts this thread's calls of the global operator new, so that a test can tell whether a piece
// of code allocated. Every other form of new (arrays, nothrow) ends up here in libstdc++.
namespace {
thread_local std::size_t t_allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  ++t_allocations;
  if (void* block = std::malloc(size == 0 ? 1 : size)) return block;
  throw std::bad_alloc();
}
void operator delete(void* block) noexcept { std::free(block); }
void operator delete(void* block, std::size_t /*size*/) noexcept { std::free(block); }

namespace camwatch {
namespace {

int twice(int value) { return 2 * value; }

// Calls `fn` with each of 1, 2, 3 and sums the results: a function taking a FunctionRef, as
// parseDnsResponse does.
int sumOver123(FunctionRef<int(int)> fn) { return fn(1) + fn(2) + fn(3); }

TEST(FunctionRefTest, IsTwoPointersAndCopiesCheaply) {
  EXPECT_EQ(sizeof(FunctionRef<void(int)>), 2 * sizeof(void*));
  EXPECT_TRUE(std::is_trivially_copyable_v<FunctionRef<void(int)>>);
}

TEST(FunctionRefTest, CallsTheLambdaItRefersToNotACopy) {
  int calls = 0;
  long long seen = 0;
  const std::string prefix = "x";  // captures well beyond std::function's small buffer
  auto count = [&calls, &seen, prefix, big = std::array<long long, 4>{1, 2, 3, 4}](int value) {
    ++calls;
    seen += value + big[3] + static_cast<long long>(prefix.size());
    return value;
  };
  EXPECT_EQ(sumOver123(count), 6);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(seen, 6 + 3 * 5);

  // A mutable lambda's own state changes in place: the reference reaches the original.
  int counter = 0;
  auto increment = [counter]() mutable { return ++counter; };
  FunctionRef<int()> ref = increment;
  EXPECT_EQ(ref(), 1);
  EXPECT_EQ(ref(), 2);
  EXPECT_EQ(increment(), 3);
  FunctionRef<int()> copy = ref;
  EXPECT_EQ(copy(), 4);
}

TEST(FunctionRefTest, TakesFunctionsAndFunctionPointers) {
  EXPECT_EQ(sumOver123(twice), 12);
  int (*pointer)(int) = &twice;
  EXPECT_EQ(sumOver123(pointer), 12);
}

TEST(FunctionRefTest, CallsTheConstOverloadOfAConstCallable) {
  struct Callable {
    int operator()(int value) const { return value + 100; }
    int operator()(int value) { return value + 200; }
  };
  const Callable constant{};
  Callable mutable_one{};
  EXPECT_EQ(sumOver123(constant), 306);
  EXPECT_EQ(sumOver123(mutable_one), 606);
}

TEST(FunctionRefTest, PassesMoveOnlyArgumentsAndReferencesThrough) {
  auto take = [](std::unique_ptr<int> owned, int& out) {
    out = *owned;
    return std::make_unique<int>(*owned + 1);
  };
  FunctionRef<std::unique_ptr<int>(std::unique_ptr<int>, int&)> ref = take;
  int out = 0;
  std::unique_ptr<int> result = ref(std::make_unique<int>(41), out);
  EXPECT_EQ(out, 41);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(*result, 42);
}

TEST(FunctionRefTest, AllocatesNothingWhereStdFunctionDoes) {
  long long a = 1;
  long long b = 2;
  long long c = 3;
  auto big = [&a, &b, &c](int value) { return static_cast<int>(a + b + c) + value; };
  static_assert(sizeof(big) > 16);

  // std::function keeps a lambda this big on the heap: the counter sees it (so it works).
  std::size_t before = t_allocations;
  EXPECT_EQ(std::function<int(int)>(big)(1), 7);
  EXPECT_GT(t_allocations, before);

  before = t_allocations;
  EXPECT_EQ(sumOver123(big), 3 * 6 + 6);
  EXPECT_EQ(t_allocations, before);
}

}  // namespace
}  // namespace camwatch
