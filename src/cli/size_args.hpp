#pragma once
// Human quantities on the `size` and `compare` command lines: token counts ("15T"), durations
// ("90d"), money ("2B", "$750M") and power ("60MW"). Each parser throws InputError naming the
// flag, what is wrong and what would be valid.
#include <string>

#include "size/request.hpp"

namespace rackscope::cli {

double parse_count(const std::string& flag, const std::string& text);     // 15T, 500B, 2e12
double parse_duration(const std::string& flag, const std::string& text);  // 90d, 36h, 3600s -> seconds
double parse_money(const std::string& flag, const std::string& text);     // 2B, $750M, 1.5e9 -> USD
double parse_power(const std::string& flag, const std::string& text);     // 60MW, 500 kW -> W
// The global batch of `r` (its model must be read): `gbs` sequences exactly when given (> 0), else
// 16M tokens per step (Llama 3 405B's final batch, The Llama 3 Herd of Models sec. 3.4.1),
// free to follow the data-parallel degree within 25%.
void set_batch(size::Request& r, int gbs);
void check_quarter(const std::string& flag, const std::string& text);     // 2027Q1

}  // namespace rackscope::cli
