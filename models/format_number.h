// Numbers as text for outputs and messages: the shortest decimal that reads back as the value
// (std::to_chars), so identical runs give identical bytes on every platform. It sits at the
// bottom of the layering so that error messages in every layer and every output writer agree.
#ifndef SERVESIM_MODELS_FORMAT_NUMBER_H_
#define SERVESIM_MODELS_FORMAT_NUMBER_H_

#include <string>

namespace servesim {

// Shortest decimal that reads back as `value`; 0 prints as "0", non-finite values as "null".
std::string FormatNumber(double value);

}  // namespace servesim

#endif  // SERVESIM_MODELS_FORMAT_NUMBER_H_
