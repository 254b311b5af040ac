#pragma once
// Calendar quarters as packaging supply tables write them: "2027Q1".
#include <string>

namespace rackscope::size {

// Whether `q` reads YYYYQn with n in 1..4.
bool valid_quarter(const std::string& q);
// Quarters since year 0 (comparable, subtractable); the caller checks valid_quarter first.
int quarter_index(const std::string& q);

}  // namespace rackscope::size
