// Counters, gauges and histograms in the Prometheus text format. Cheap
// enough for every task and SWF call (one short lock per update).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace swfrt::runtime {

using label = std::pair<std::string_view, std::string_view>;

class metrics {
public:
    enum class kind { counter, gauge, histogram };

    metrics();

    void add(std::string_view name, std::initializer_list<label> labels, double v = 1);
    void set(std::string_view name, std::initializer_list<label> labels, double v);
    void observe(std::string_view name, std::initializer_list<label> labels, double seconds);

    // The value of one series (0 when absent), for tests and health.
    double value(std::string_view name, std::initializer_list<label> labels = {}) const;
    std::uint64_t count(std::string_view histogram, std::initializer_list<label> labels = {}) const;

    // Everything, with # HELP and # TYPE lines, families in name order.
    std::string render() const;

    struct family_doc {
        std::string_view name;
        kind type;
        std::string_view help;
    };
    // Every family this runtime exports (the README table is checked against it).
    static const std::vector<family_doc>& documented();

private:
    static constexpr std::array<double, 12> buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    struct series {
        double value = 0;
        std::array<std::uint64_t, buckets.size()> bucket_counts{};
        std::uint64_t count = 0;
        double sum = 0;
    };
    struct family {
        kind type = kind::counter;
        std::string help;
        std::map<std::string, series> by_labels;
    };
    static std::string label_text(std::initializer_list<label> labels);
    series& at(std::string_view name, std::initializer_list<label> labels);

    mutable std::mutex mutex_;
    std::map<std::string, family, std::less<>> families_;
};

} // namespace swfrt::runtime
