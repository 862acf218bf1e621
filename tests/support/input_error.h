// The message of the InputError a piece of code throws, for tests of user-input errors.
#ifndef SERVESIM_TESTS_SUPPORT_INPUT_ERROR_H_
#define SERVESIM_TESTS_SUPPORT_INPUT_ERROR_H_

#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "models/input_error.h"

namespace servesim::testing {

// The message of the InputError `f` throws, or "" when it throws none (other exceptions pass).
inline std::string InputErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// The same, and a failed check (the test goes on) when `f` throws none.
inline std::string ExpectInputError(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  FAIL_CHECK("expected an InputError");
  return "";
}

}  // namespace servesim::testing

#endif  // SERVESIM_TESTS_SUPPORT_INPUT_ERROR_H_
