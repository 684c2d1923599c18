// The generated model: every enum maps to and from SWF's strings, box keeps
// value semantics, and the operation tables hold all 39 operations.
#include "swf/model/box.hpp"
#include "swf/model/faults.hpp"
#include "swf/model/model.hpp"
#include "swf/model/operations.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cctype>
#include <cstddef>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace model = swfrt::swf::model;

namespace {

// X(ShapeName, cxx_name, number of values in the model)
#define SWFRT_TEST_ENUMS(X)                                          \
    X(ActivityTaskTimeoutType, activity_task_timeout_type, 4)        \
    X(CancelTimerFailedCause, cancel_timer_failed_cause, 2)          \
    X(CancelWorkflowExecutionFailedCause, cancel_workflow_execution_failed_cause, 2) \
    X(ChildPolicy, child_policy, 3)                                  \
    X(CloseStatus, close_status, 6)                                  \
    X(CompleteWorkflowExecutionFailedCause, complete_workflow_execution_failed_cause, 2) \
    X(ContinueAsNewWorkflowExecutionFailedCause, continue_as_new_workflow_execution_failed_cause, 9) \
    X(DecisionTaskTimeoutType, decision_task_timeout_type, 2)        \
    X(DecisionType, decision_type, 13)                               \
    X(EventType, event_type, 54)                                     \
    X(ExecutionStatus, execution_status, 2)                          \
    X(FailWorkflowExecutionFailedCause, fail_workflow_execution_failed_cause, 2) \
    X(LambdaFunctionTimeoutType, lambda_function_timeout_type, 1)    \
    X(RecordMarkerFailedCause, record_marker_failed_cause, 1)        \
    X(RegistrationStatus, registration_status, 2)                    \
    X(RequestCancelActivityTaskFailedCause, request_cancel_activity_task_failed_cause, 2) \
    X(RequestCancelExternalWorkflowExecutionFailedCause, request_cancel_external_workflow_execution_failed_cause, 3) \
    X(ScheduleActivityTaskFailedCause, schedule_activity_task_failed_cause, 11) \
    X(ScheduleLambdaFunctionFailedCause, schedule_lambda_function_failed_cause, 4) \
    X(SignalExternalWorkflowExecutionFailedCause, signal_external_workflow_execution_failed_cause, 3) \
    X(StartChildWorkflowExecutionFailedCause, start_child_workflow_execution_failed_cause, 11) \
    X(StartLambdaFunctionFailedCause, start_lambda_function_failed_cause, 1) \
    X(StartTimerFailedCause, start_timer_failed_cause, 4)            \
    X(WorkflowExecutionCancelRequestedCause, workflow_execution_cancel_requested_cause, 1) \
    X(WorkflowExecutionTerminatedCause, workflow_execution_terminated_cause, 3) \
    X(WorkflowExecutionTimeoutType, workflow_execution_timeout_type, 1)

struct enum_case {
    std::string_view shape;
    std::size_t expected_count;
    // The strings of the enumerators in declaration order, as to_string gives them.
    std::vector<std::string> (*names)();
    // Round-trips every name through from_string; returns the first failure.
    std::string (*check)();
    // What the last value, unknown_to_sdk, looks like; returns the first failure.
    std::string (*check_unknown)(std::size_t expected_count);
};

// Enumerators are dense from 0 (the generator declares them in model order,
// then unknown_to_sdk, which has no name), so walking the integers until
// to_string has no name visits each value of the model once.
template <class E>
std::vector<std::string> names_of() {
    std::vector<std::string> out;
    for (int i = 0; i < 1000; ++i) {
        auto s = model::to_string(static_cast<E>(i));
        if (s.empty()) break;
        out.emplace_back(s);
    }
    return out;
}

template <class E, auto FromString>
std::string check_round_trip() {
    auto names = names_of<E>();
    for (std::size_t i = 0; i < names.size(); ++i) {
        auto back = FromString(names[i]);
        if (!back) return names[i] + " is not recognised";
        if (*back != static_cast<E>(i)) return names[i] + " maps to another enumerator";
        // Exact match only: other case, padding or a prefix are unknown.
        std::string lower = names[i];
        for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower != names[i] && FromString(lower)) return lower + " is accepted";
        if (FromString(names[i] + " ")) return names[i] + " with a trailing space is accepted";
        if (FromString(std::string_view(names[i]).substr(0, names[i].size() - 1))) return names[i] + " prefix is accepted";
    }
    if (FromString("")) return "the empty string is accepted";
    return {};
}

// unknown_to_sdk follows the model's values, has no name of its own, is never
// parsed, and shows the text kept beside it.
template <class E, auto FromString>
std::string check_unknown_value(std::size_t expected_count) {
    if (static_cast<std::size_t>(E::unknown_to_sdk) != expected_count) return "unknown_to_sdk is not the last value";
    if (!model::to_string(E::unknown_to_sdk).empty()) return "to_string(unknown_to_sdk) is not empty";
    if (model::to_string(E::unknown_to_sdk, "Kept") != "Kept") return "to_string(v, text) does not give the text";
    for (auto s : {"", "unknown_to_sdk", "UNKNOWN_TO_SDK", "UNKNOWN_TO_SDK_VERSION", "Kept"})
        if (FromString(s)) return std::string(s) + " is accepted";
    auto first = static_cast<E>(0);
    if (model::to_string(first, "Kept") != model::to_string(first)) return "to_string(v, text) of a known value";
    return {};
}

#define SWFRT_ENUM_CASE(shape_name, cxx, count)                                                                      \
    enum_case{#shape_name, count, &names_of<model::cxx>,                                                             \
              &check_round_trip<model::cxx, &model::cxx##_from_string>,                                             \
              &check_unknown_value<model::cxx, &model::cxx##_from_string>},
const enum_case enum_cases[] = {SWFRT_TEST_ENUMS(SWFRT_ENUM_CASE)};
#undef SWFRT_ENUM_CASE

const std::string shapes_path = SWFRT_SHARED_DIR "/swf-model/swf-2012-01-25.shapes.json";

struct counted {
    static inline int copies = 0;
    int v = 0;
    counted() = default;
    explicit counted(int x) : v(x) {}
    counted(const counted& o) : v(o.v) { ++copies; }
    counted& operator=(const counted& o) {
        v = o.v;
        ++copies;
        return *this;
    }
    bool operator==(const counted& o) const { return v == o.v; }
};

} // namespace

TEST(enums, twenty_six_enums) { EXPECT_EQ(std::size(enum_cases), 26u); }

TEST(enums, every_value_round_trips_through_its_string) {
    std::size_t total = 0;
    for (const auto& e : enum_cases) {
        SCOPED_TRACE(std::string(e.shape));
        auto names = e.names();
        EXPECT_EQ(names.size(), e.expected_count);
        EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size()) << "duplicate strings";
        EXPECT_EQ(e.check(), "");
        EXPECT_EQ(e.check_unknown(e.expected_count), "");
        total += names.size();
    }
    EXPECT_EQ(total, 149u);
}

TEST(enums, strings_are_the_ones_of_the_swf_model) {
    if (!std::filesystem::exists(shapes_path))
        GTEST_SKIP() << "SWF model not found at " << shapes_path << " (shared data absent)";
    simdjson::dom::parser parser;
    simdjson::dom::object shapes = parser.load(shapes_path)["shapes"].get_object().value();
    std::size_t enums_in_model = 0;
    for (auto field : shapes) {
        simdjson::dom::array values;
        if (!field.value["enum"].get_array().get(values)) ++enums_in_model;
    }
    EXPECT_EQ(enums_in_model, std::size(enum_cases));
    for (const auto& e : enum_cases) {
        SCOPED_TRACE(std::string(e.shape));
        simdjson::dom::array values;
        ASSERT_FALSE(shapes[e.shape]["enum"].get_array().get(values)) << "not an enum in the model";
        std::vector<std::string> expected;
        for (auto v : values) expected.emplace_back(v.get_string().value());
        EXPECT_EQ(e.names(), expected);
    }
}

TEST(enums, known_strings) {
    EXPECT_EQ(model::to_string(model::event_type::workflow_execution_started), "WorkflowExecutionStarted");
    EXPECT_EQ(model::to_string(model::event_type::start_lambda_function_failed), "StartLambdaFunctionFailed");
    EXPECT_EQ(model::to_string(model::decision_type::schedule_lambda_function), "ScheduleLambdaFunction");
    EXPECT_EQ(model::to_string(model::child_policy::request_cancel), "REQUEST_CANCEL");
    EXPECT_EQ(model::to_string(model::close_status::continued_as_new), "CONTINUED_AS_NEW");
    EXPECT_EQ(model::schedule_activity_task_failed_cause_from_string("ACTIVITY_ID_ALREADY_IN_USE"),
              model::schedule_activity_task_failed_cause::activity_id_already_in_use);
    EXPECT_EQ(model::event_type_from_string("TimerFired"), model::event_type::timer_fired);
    EXPECT_FALSE(model::event_type_from_string("TIMER_FIRED"));
}

TEST(operations, thirty_nine) {
    EXPECT_EQ(model::operation_count, 39);
    std::set<std::string_view> names;
#define SWFRT_COUNT_OPERATION(api, snake_name, request, response) names.insert(#api);
    SWFRT_SWF_OPERATIONS(SWFRT_COUNT_OPERATION)
#undef SWFRT_COUNT_OPERATION
    EXPECT_EQ(names.size(), 39u);
    EXPECT_TRUE(names.count("PollForDecisionTask"));
    EXPECT_TRUE(names.count("RespondDecisionTaskCompleted"));
    EXPECT_TRUE(names.count("UntagResource"));

    std::size_t paginated = 0, faults = 0;
#define SWFRT_COUNT_PAGINATOR(api, snake_name, request, response, member) \
    ++paginated;                                                          \
    EXPECT_TRUE(names.count(#api)) << #api;
    SWFRT_SWF_PAGINATORS(SWFRT_COUNT_PAGINATOR)
#undef SWFRT_COUNT_PAGINATOR
    faults = model::model_faults.size();
    EXPECT_EQ(paginated, 7u);
    EXPECT_EQ(faults, 11u);
}

TEST(operations, paginated_result_members_exist) {
    // The X-macro's result member names a list in the response type.
#define SWFRT_PAGINATOR_MEMBER(api, snake_name, request, response, member) \
    {                                                                       \
        model::response r;                                                  \
        r.member.emplace_back();                                            \
        EXPECT_EQ(r.member.size(), 1u) << #api;                             \
        r.next_page_token = "next";                                         \
        model::request q;                                                   \
        q.next_page_token = *r.next_page_token;                             \
        EXPECT_EQ(q.next_page_token, "next") << #api;                       \
    }
    SWFRT_SWF_PAGINATORS(SWFRT_PAGINATOR_MEMBER)
#undef SWFRT_PAGINATOR_MEMBER
}

TEST(box, starts_empty) {
    model::box<std::string> b;
    EXPECT_FALSE(b.has_value());
    EXPECT_FALSE(b);
    EXPECT_TRUE(b == model::box<std::string>{});
}

TEST(box, holds_a_value) {
    model::box<std::string> b(std::string("value"));
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, "value");
    EXPECT_EQ(b->size(), 5u);
    b->append("!");
    EXPECT_EQ(*b, "value!");
    b.reset();
    EXPECT_FALSE(b);
}

TEST(box, copies_are_deep) {
    model::box<std::string> a(std::string("one"));
    model::box<std::string> b = a;
    ASSERT_TRUE(b);
    EXPECT_NE(&*a, &*b);
    EXPECT_TRUE(a == b);
    *b = "two";
    EXPECT_EQ(*a, "one");
    EXPECT_FALSE(a == b);

    model::box<std::string> c(std::string("three"));
    c = a;
    EXPECT_EQ(*c, "one");
    EXPECT_NE(&*c, &*a);
    c = model::box<std::string>{};
    EXPECT_FALSE(c);

    model::box<std::string> empty;
    model::box<std::string> copy_of_empty = empty;
    EXPECT_FALSE(copy_of_empty);
}

TEST(box, self_assignment_keeps_the_value) {
    model::box<std::string> a(std::string("same"));
    auto& alias = a;
    a = alias;
    ASSERT_TRUE(a);
    EXPECT_EQ(*a, "same");
}

TEST(box, moves_do_not_copy_the_value) {
    counted::copies = 0;
    model::box<counted> a(counted(7));
    int after_construction = counted::copies;
    const counted* where = &*a;
    model::box<counted> b(std::move(a));
    ASSERT_TRUE(b);
    EXPECT_EQ(&*b, where);
    model::box<counted> c;
    c = std::move(b);
    ASSERT_TRUE(c);
    EXPECT_EQ(&*c, where);
    EXPECT_EQ(c->v, 7);
    EXPECT_EQ(counted::copies, after_construction);
}

TEST(box, compares_by_value) {
    model::box<int> one(1), other_one(1), two(2), none, other_none;
    EXPECT_TRUE(one == other_one);
    EXPECT_FALSE(one == two);
    EXPECT_FALSE(one == none);
    EXPECT_FALSE(none == one);
    EXPECT_TRUE(none == other_none);
    EXPECT_TRUE(one != two);
}

TEST(box, emplace_and_assign_from_a_value) {
    model::box<std::string> b;
    auto& s = b.emplace(3, 'x');
    EXPECT_EQ(s, "xxx");
    EXPECT_EQ(&s, &*b);
    b.emplace("replaced");
    EXPECT_EQ(*b, "replaced");

    model::box<model::task_list> t;
    t = model::task_list{"queue"};
    ASSERT_TRUE(t);
    EXPECT_EQ(t->name, "queue");
    const model::task_list other{"other"};
    t = other;
    EXPECT_EQ(t->name, "other");
    t.emplace().name = "fresh";
    EXPECT_EQ(t->name, "fresh");
}

TEST(box, is_one_pointer_so_history_events_stay_small) {
    EXPECT_EQ(sizeof(model::box<model::workflow_execution_started_event_attributes>), sizeof(void*));
    EXPECT_LE(sizeof(model::history_event), 512u);
}

TEST(model_structs, equality_sees_nested_and_boxed_members) {
    model::history_event a;
    a.event_id = 5;
    a.event_type = model::event_type::timer_fired;
    auto& attrs = a.timer_fired_event_attributes.emplace();
    attrs.timer_id = "t1";
    attrs.started_event_id = 4;

    model::history_event b = a;
    EXPECT_TRUE(a == b);
    b.timer_fired_event_attributes->timer_id = "t2";
    EXPECT_FALSE(a == b);
    EXPECT_EQ(a.timer_fired_event_attributes->timer_id, "t1");

    b = a;
    b.timer_started_event_attributes.emplace();
    EXPECT_FALSE(a == b);

    model::decision_task t1, t2;
    t1.events.push_back(a);
    t2.events.push_back(a);
    EXPECT_TRUE(t1 == t2);
    t2.events[0].event_timestamp = 1.5;
    EXPECT_FALSE(t1 == t2);
}

TEST(model_structs, enum_members_have_a_sibling_for_the_text_of_an_unknown_value) {
    model::history_event e;
    EXPECT_TRUE(e.event_type_text.empty());
    model::workflow_execution_info i;
    EXPECT_FALSE(i.close_status);
    EXPECT_TRUE(i.close_status_text.empty());
    EXPECT_TRUE(i.execution_status_text.empty());
    // The kept text is part of the value.
    model::history_event a, b;
    a.event_type = b.event_type = model::event_type::unknown_to_sdk;
    a.event_type_text = "TimerCancelled";
    b.event_type_text = "TimerUncancelled";
    EXPECT_FALSE(a == b);
}

TEST(model_structs, optional_members_start_absent_and_required_ones_default) {
    model::start_workflow_execution_input in;
    EXPECT_TRUE(in.domain.empty());
    EXPECT_FALSE(in.child_policy);
    EXPECT_FALSE(in.task_list);
    EXPECT_FALSE(in.input);
    EXPECT_TRUE(in.tag_list.empty());
    model::activity_task_status status;
    EXPECT_FALSE(status.cancel_requested);
    model::history_event ev;
    EXPECT_EQ(ev.event_id, 0);
    EXPECT_EQ(ev.event_timestamp, 0.0);
}
