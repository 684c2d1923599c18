// The generated fault enum, limits and decision makers against the SWF
// model they come from (../shared/swf-model; those checks skip when it is absent).
#include "swf/model/decisions.hpp"
#include "swf/model/faults.hpp"
#include "swf/model/limits.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace model = swfrt::swf::model;
namespace limits = swfrt::swf::model::limits;

const std::string shapes_path = SWFRT_SHARED_DIR "/swf-model/swf-2012-01-25.shapes.json";

TEST(faults, every_fault_round_trips_and_others_are_other) {
    std::set<std::string_view> names;
    for (auto f : model::model_faults) {
        const auto name = model::to_string(f);
        EXPECT_FALSE(name.empty());
        EXPECT_TRUE(name.ends_with("Fault")) << name;
        EXPECT_EQ(model::fault_from_string(name), f) << name;
        names.insert(name);
    }
    EXPECT_EQ(names.size(), model::model_faults.size());
    EXPECT_EQ(model::to_string(model::fault::other), "");
    EXPECT_EQ(model::fault_from_string(""), model::fault::other);
    EXPECT_EQ(model::fault_from_string("ThrottlingException"), model::fault::other);
    EXPECT_EQ(model::fault_from_string("unknownresourcefault"), model::fault::other);
    EXPECT_EQ(model::fault_from_string("UnknownResourceFault"), model::fault::unknown_resource);
    static_assert(model::fault_from_string("TypeAlreadyExistsFault") == model::fault::type_already_exists);
}

TEST(faults, the_enum_holds_exactly_the_exception_shapes_of_the_model) {
    if (!std::filesystem::exists(shapes_path))
        GTEST_SKIP() << "SWF model not found at " << shapes_path << " (shared data absent)";
    simdjson::dom::parser parser;
    simdjson::dom::object shapes = parser.load(shapes_path)["shapes"].get_object().value();
    std::set<std::string> in_model, in_enum;
    for (auto field : shapes) {
        bool exception = false;
        if (!field.value["exception"].get_bool().get(exception) && exception) in_model.emplace(field.key);
    }
    for (auto f : model::model_faults) in_enum.emplace(model::to_string(f));
    EXPECT_EQ(in_enum, in_model);
}

TEST(limits, the_bounds_are_the_models) {
    if (!std::filesystem::exists(shapes_path))
        GTEST_SKIP() << "SWF model not found at " << shapes_path << " (shared data absent)";
    simdjson::dom::parser parser;
    simdjson::dom::object shapes = parser.load(shapes_path)["shapes"].get_object().value();
    const std::vector<std::pair<const char*, std::size_t>> max_of = {
        {"FailureReason", limits::max_failure_reason}, {"Data", limits::max_data},
        {"LimitedData", limits::max_limited_data},     {"Name", limits::max_name},
        {"DomainName", limits::max_domain_name},       {"Version", limits::max_version},
        {"Identity", limits::max_identity},            {"Description", limits::max_description},
        {"TaskToken", limits::max_task_token},         {"TerminateReason", limits::max_terminate_reason},
        {"MarkerName", limits::max_marker_name},       {"SignalName", limits::max_signal_name},
        {"WorkflowId", limits::max_workflow_id},       {"ActivityId", limits::max_activity_id},
        {"TimerId", limits::max_timer_id},             {"FunctionInput", limits::max_function_input},
        {"PageToken", limits::max_page_token},         {"PageSize", limits::max_page_size},
        {"TagList", limits::max_tag_list},
    };
    for (const auto& [shape, value] : max_of) {
        std::uint64_t max = 0;
        ASSERT_FALSE(shapes[shape]["max"].get_uint64().get(max)) << shape << " has no max in the model";
        EXPECT_EQ(value, max) << shape;
    }
    std::uint64_t min = 0;
    ASSERT_FALSE(shapes["TaskToken"]["min"].get_uint64().get(min));
    EXPECT_EQ(limits::min_task_token, min);
}

TEST(limits, the_figures_workers_rely_on) {
    // What SWF documents, independently of the model file.
    EXPECT_EQ(limits::max_failure_reason, 256u);
    EXPECT_EQ(limits::max_data, 32768u);
    EXPECT_EQ(limits::max_limited_data, 2048u);
    EXPECT_EQ(limits::max_history_events, 25000u);
    EXPECT_EQ(limits::max_open_activities, 1000u);
    EXPECT_EQ(limits::max_page_size, 1000u);
}

// Which attribute members of a decision are set.
int attributes_set(const model::decision& d) {
    return int(bool(d.schedule_activity_task_decision_attributes)) +
           bool(d.request_cancel_activity_task_decision_attributes) +
           bool(d.complete_workflow_execution_decision_attributes) +
           bool(d.fail_workflow_execution_decision_attributes) +
           bool(d.cancel_workflow_execution_decision_attributes) +
           bool(d.continue_as_new_workflow_execution_decision_attributes) +
           bool(d.record_marker_decision_attributes) + bool(d.start_timer_decision_attributes) +
           bool(d.cancel_timer_decision_attributes) + bool(d.signal_external_workflow_execution_decision_attributes) +
           bool(d.request_cancel_external_workflow_execution_decision_attributes) +
           bool(d.start_child_workflow_execution_decision_attributes) +
           bool(d.schedule_lambda_function_decision_attributes);
}

TEST(decisions, each_is_made_with_the_type_of_its_attributes_and_only_those) {
    using dt = model::decision_type;
#define SWFRT_CHECK(attrs, type, member, field, value)                 \
    {                                                                 \
        model::attrs a;                                               \
        a.field = value;                                              \
        const auto d = model::make_decision(std::move(a));            \
        EXPECT_EQ(d.decision_type, dt::type) << #attrs;               \
        ASSERT_TRUE(d.member) << #attrs;                              \
        EXPECT_EQ(d.member->field, value) << #attrs;                  \
        EXPECT_EQ(attributes_set(d), 1) << #attrs;                    \
        ++made;                                                       \
    }
    int made = 0;
    SWFRT_CHECK(schedule_activity_task_decision_attributes, schedule_activity_task,
                schedule_activity_task_decision_attributes, activity_id, std::string("a1"))
    SWFRT_CHECK(request_cancel_activity_task_decision_attributes, request_cancel_activity_task,
                request_cancel_activity_task_decision_attributes, activity_id, std::string("a1"))
    SWFRT_CHECK(complete_workflow_execution_decision_attributes, complete_workflow_execution,
                complete_workflow_execution_decision_attributes, result_, std::optional<std::string>("r"))
    SWFRT_CHECK(fail_workflow_execution_decision_attributes, fail_workflow_execution,
                fail_workflow_execution_decision_attributes, reason, std::optional<std::string>("why"))
    SWFRT_CHECK(cancel_workflow_execution_decision_attributes, cancel_workflow_execution,
                cancel_workflow_execution_decision_attributes, details, std::optional<std::string>("d"))
    SWFRT_CHECK(continue_as_new_workflow_execution_decision_attributes, continue_as_new_workflow_execution,
                continue_as_new_workflow_execution_decision_attributes, input, std::optional<std::string>("i"))
    SWFRT_CHECK(record_marker_decision_attributes, record_marker, record_marker_decision_attributes, marker_name,
                std::string("m"))
    SWFRT_CHECK(start_timer_decision_attributes, start_timer, start_timer_decision_attributes, timer_id,
                std::string("t"))
    SWFRT_CHECK(cancel_timer_decision_attributes, cancel_timer, cancel_timer_decision_attributes, timer_id,
                std::string("t"))
    SWFRT_CHECK(signal_external_workflow_execution_decision_attributes, signal_external_workflow_execution,
                signal_external_workflow_execution_decision_attributes, signal_name, std::string("s"))
    SWFRT_CHECK(request_cancel_external_workflow_execution_decision_attributes,
                request_cancel_external_workflow_execution,
                request_cancel_external_workflow_execution_decision_attributes, workflow_id, std::string("w"))
    SWFRT_CHECK(start_child_workflow_execution_decision_attributes, start_child_workflow_execution,
                start_child_workflow_execution_decision_attributes, workflow_id, std::string("w"))
    SWFRT_CHECK(schedule_lambda_function_decision_attributes, schedule_lambda_function,
                schedule_lambda_function_decision_attributes, name, std::string("f"))
#undef SWFRT_CHECK
    EXPECT_EQ(made, 13); // every decision type SWF has
}

} // namespace
