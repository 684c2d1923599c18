"""check_history(events): the problems in an SWF workflow execution history.

A history is the list of events GetWorkflowExecutionHistory returns (all
pages, in order), as boto3 parses it (timestamps as datetime) or as raw JSON
(timestamps as epoch seconds). The rules checked are SWF's own:

- event ids are 1..n without a gap, timestamps never go back, the first event
  is WorkflowExecutionStarted and no other is;
- each event has exactly one attributes member, `<lowerFirst(eventType)>
  EventAttributes`, and its members match the SWF API model in
  ../shared/swf-model (required members present, no unknown member, types,
  enums, string lengths, timeouts "NONE" or whole seconds);
- every back-reference (scheduledEventId, startedEventId, initiatedEventId,
  decisionTaskCompletedEventId, latestCancelRequestedEventId) names an earlier
  event of the right type, of the same task, timer or child, still open;
- at most one decision task is open (scheduled or started) at a time; a
  decision task is started, then completed or timed out, once;
- activity tasks, timers, child workflows and Lambda functions follow their
  life cycles: started once, closed once, an activity id or timer id reused
  only once the earlier one is closed;
- a close decision is not taken over a signal or activity result that arrived
  while its decision task ran (SWF refuses it with UNHANDLED_DECISION);
- at most one close event, and nothing after it.

It returns a list of strings, one per problem, each naming the event; an
empty list means the history keeps every rule. The module's own tests are in
SwfHistoryCheckTest (python3 -m unittest -v swf_history_check).
"""

import datetime
import functools
import glob
import json
import os
import re
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MODEL_FILE = "swf-2012-01-25.shapes.json"
# The model is reference data beside the repository (../shared, see
# DESIGN.md); SWF_MODEL_DIR points elsewhere.
MODEL_DIRS = [os.environ.get("SWF_MODEL_DIR", ""),
              os.path.join(HERE, "..", "..", "..", "shared", "swf-model")]

CLOSE_EVENTS = frozenset([
    "WorkflowExecutionCompleted", "WorkflowExecutionFailed", "WorkflowExecutionCanceled",
    "WorkflowExecutionTerminated", "WorkflowExecutionTimedOut", "WorkflowExecutionContinuedAsNew"])
# Close events a decider's decision produces; SWF refuses those decisions
# when new events arrived during the decision task.
CLOSE_DECISION_EVENTS = frozenset([
    "WorkflowExecutionCompleted", "WorkflowExecutionFailed", "WorkflowExecutionCanceled",
    "WorkflowExecutionContinuedAsNew"])
# "An UnhandledDecision fault is returned if a workflow closing decision is
# specified and a signal or activity event had been added to the history
# while the decision task was being performed" (API reference, Decision).
UNHANDLED_IF_DURING_DECISION = frozenset([
    "WorkflowExecutionSignaled", "ActivityTaskCompleted", "ActivityTaskFailed",
    "ActivityTaskTimedOut", "ActivityTaskCanceled"])
# Events recorded while SWF applies the decisions of one
# RespondDecisionTaskCompleted: they name the latest DecisionTaskCompleted.
# (StartChildWorkflowExecutionFailed, SignalExternalWorkflowExecutionFailed
# and RequestCancelExternalWorkflowExecutionFailed may come later.)
DECISION_RESULT_EVENTS = frozenset([
    "ActivityTaskScheduled", "ScheduleActivityTaskFailed", "ActivityTaskCancelRequested",
    "RequestCancelActivityTaskFailed", "MarkerRecorded", "RecordMarkerFailed", "TimerStarted",
    "StartTimerFailed", "TimerCanceled", "CancelTimerFailed", "StartChildWorkflowExecutionInitiated",
    "SignalExternalWorkflowExecutionInitiated", "RequestCancelExternalWorkflowExecutionInitiated",
    "LambdaFunctionScheduled", "ScheduleLambdaFunctionFailed", "WorkflowExecutionCompleted",
    "CompleteWorkflowExecutionFailed", "WorkflowExecutionFailed", "FailWorkflowExecutionFailed",
    "WorkflowExecutionCanceled", "CancelWorkflowExecutionFailed", "WorkflowExecutionContinuedAsNew",
    "ContinueAsNewWorkflowExecutionFailed"])

# What each back-reference must name, by event type. decisionTaskCompletedEventId
# always names a DecisionTaskCompleted. A test checks that this table covers
# every *EventId member of the model.
REFERENCES = {
    "DecisionTaskStarted": dict(scheduledEventId="DecisionTaskScheduled"),
    "DecisionTaskCompleted": dict(scheduledEventId="DecisionTaskScheduled", startedEventId="DecisionTaskStarted"),
    "DecisionTaskTimedOut": dict(scheduledEventId="DecisionTaskScheduled", startedEventId="DecisionTaskStarted"),
    "ActivityTaskStarted": dict(scheduledEventId="ActivityTaskScheduled"),
    "ActivityTaskCompleted": dict(scheduledEventId="ActivityTaskScheduled", startedEventId="ActivityTaskStarted"),
    "ActivityTaskFailed": dict(scheduledEventId="ActivityTaskScheduled", startedEventId="ActivityTaskStarted"),
    "ActivityTaskTimedOut": dict(scheduledEventId="ActivityTaskScheduled", startedEventId="ActivityTaskStarted"),
    "ActivityTaskCanceled": dict(scheduledEventId="ActivityTaskScheduled", startedEventId="ActivityTaskStarted",
                                  latestCancelRequestedEventId="ActivityTaskCancelRequested"),
    "TimerFired": dict(startedEventId="TimerStarted"),
    "TimerCanceled": dict(startedEventId="TimerStarted"),
    "StartChildWorkflowExecutionFailed": dict(initiatedEventId="StartChildWorkflowExecutionInitiated"),
    "ChildWorkflowExecutionStarted": dict(initiatedEventId="StartChildWorkflowExecutionInitiated"),
    "SignalExternalWorkflowExecutionFailed": dict(initiatedEventId="SignalExternalWorkflowExecutionInitiated"),
    "ExternalWorkflowExecutionSignaled": dict(initiatedEventId="SignalExternalWorkflowExecutionInitiated"),
    "RequestCancelExternalWorkflowExecutionFailed": dict(
        initiatedEventId="RequestCancelExternalWorkflowExecutionInitiated"),
    "ExternalWorkflowExecutionCancelRequested": dict(
        initiatedEventId="RequestCancelExternalWorkflowExecutionInitiated"),
    "LambdaFunctionStarted": dict(scheduledEventId="LambdaFunctionScheduled"),
    "StartLambdaFunctionFailed": dict(scheduledEventId="LambdaFunctionScheduled"),
}
for _close in ("Completed", "Failed", "TimedOut"):
    REFERENCES["LambdaFunction" + _close] = dict(scheduledEventId="LambdaFunctionScheduled",
                                                  startedEventId="LambdaFunctionStarted")
for _close in ("Completed", "Failed", "TimedOut", "Canceled", "Terminated"):
    REFERENCES["ChildWorkflowExecution" + _close] = dict(initiatedEventId="StartChildWorkflowExecutionInitiated",
                                                          startedEventId="ChildWorkflowExecutionStarted")
# Ids of events in another execution's history: only their sign is checked.
OTHER_HISTORY_REFERENCES = frozenset(["parentInitiatedEventId", "externalInitiatedEventId"])


def _zero_allowed(event_type, member, attrs):
    """Whether SWF writes 0 for this back-reference: the event it would name
    does not exist."""
    timeout = attrs.get("timeoutType")
    if member == "latestCancelRequestedEventId":
        return True
    if event_type == "ActivityTaskTimedOut" and member == "startedEventId":
        return timeout in ("SCHEDULE_TO_START", "SCHEDULE_TO_CLOSE")
    if event_type == "ActivityTaskCanceled" and member == "startedEventId":
        return True  # canceled before a worker took it
    if event_type == "DecisionTaskTimedOut" and member == "startedEventId":
        return timeout == "SCHEDULE_TO_START"
    if event_type == "StartLambdaFunctionFailed":
        return True
    # "When the cause isn't WORKFLOW_ALREADY_RUNNING, initiatedEventId is set
    # to 0" (StartChildWorkflowExecutionFailedEventAttributes); the other two
    # failures may likewise come without an Initiated event.
    if member == "initiatedEventId" and event_type in (
            "StartChildWorkflowExecutionFailed", "SignalExternalWorkflowExecutionFailed",
            "RequestCancelExternalWorkflowExecutionFailed"):
        return True
    return False


@functools.lru_cache(maxsize=1)
def load_model():
    """The SWF API model's shapes (name -> shape dict)."""
    tried = []
    for folder in MODEL_DIRS:
        if not folder:
            continue
        path = os.path.normpath(os.path.join(folder, MODEL_FILE))
        tried.append(path)
        if os.path.exists(path):
            with open(path) as f:
                return json.load(f)["shapes"]
    raise RuntimeError("the SWF API model %s is not in %s; set SWF_MODEL_DIR to its folder"
                       % (MODEL_FILE, ", ".join(tried)))


def attributes_member(event_type):
    """The HistoryEvent member that carries an event type's attributes."""
    event_type = event_type if isinstance(event_type, str) else ""
    return event_type[:1].lower() + event_type[1:] + "EventAttributes"


def _seconds(timestamp):
    if isinstance(timestamp, datetime.datetime):
        if timestamp.tzinfo is None:
            timestamp = timestamp.replace(tzinfo=datetime.timezone.utc)
        return timestamp.timestamp()
    if isinstance(timestamp, (int, float)) and not isinstance(timestamp, bool):
        return float(timestamp)
    return None


_DURATION = re.compile(r"^(NONE|[0-9]+)$")


def _check_value(shapes, shape_name, value, path, problems):
    """Problems of one value against a model shape, appended to problems."""
    shape = shapes[shape_name]
    kind = shape["type"]
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append("%s is %r, not a structure %s" % (path, value, shape_name))
            return
        members = shape.get("members", {})
        for name in shape.get("required", []):
            if value.get(name) is None:
                problems.append("%s lacks the required member %s" % (path, name))
        for name, member_value in value.items():
            if name not in members:
                problems.append("%s has the member %s, unknown to %s" % (path, name, shape_name))
            elif member_value is not None:
                _check_value(shapes, members[name]["shape"], member_value, path + "." + name, problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append("%s is %r, not a list" % (path, value))
            return
        if "max" in shape and len(value) > shape["max"]:
            problems.append("%s has %d items, more than %d" % (path, len(value), shape["max"]))
        if "min" in shape and len(value) < shape["min"]:
            problems.append("%s has %d items, fewer than %d" % (path, len(value), shape["min"]))
        for i, item in enumerate(value):
            _check_value(shapes, shape["member"]["shape"], item, "%s[%d]" % (path, i), problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append("%s is %r, not a string" % (path, value))
            return
        if "enum" in shape and value not in shape["enum"]:
            problems.append("%s is %r, not one of %s" % (path, value, "|".join(shape["enum"])))
        if "max" in shape and len(value) > shape["max"]:
            problems.append("%s is %d characters long, more than %d" % (path, len(value), shape["max"]))
        if "min" in shape and len(value) < shape["min"]:
            problems.append("%s is %d characters long, fewer than %d" % (path, len(value), shape["min"]))
        if shape_name.startswith("DurationInSeconds") and not _DURATION.match(value):
            problems.append("%s is %r, neither NONE nor whole seconds" % (path, value))
    elif kind in ("long", "integer"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append("%s is %r, not an integer" % (path, value))
            return
        if "min" in shape and value < shape["min"]:
            problems.append("%s is %d, less than %d" % (path, value, shape["min"]))
        if "max" in shape and value > shape["max"]:
            problems.append("%s is %d, more than %d" % (path, value, shape["max"]))
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append("%s is %r, not a boolean" % (path, value))
    elif kind == "timestamp":
        if _seconds(value) is None:
            problems.append("%s is %r, not a timestamp" % (path, value))


class _Checker:
    def __init__(self, events):
        self.events = events
        self.shapes = load_model()
        self.event_types = set(self.shapes["EventType"]["enum"])
        self.problems = []
        self.by_id = {}
        self.open_decision = None        # {"scheduled": id, "started": id or None}
        self.activities = {}             # scheduled id -> state
        self.open_activity_ids = {}      # activityId -> scheduled id
        self.timers = {}                 # TimerStarted id -> state
        self.open_timer_ids = {}         # timerId -> TimerStarted id
        self.children = {}               # Initiated id -> state
        self.lambdas = {}                # LambdaFunctionScheduled id -> state
        self.external = {}               # Signal/RequestCancel ...Initiated id -> closed?
        self.latest_completed = None     # id of the latest DecisionTaskCompleted
        self.close_event = None

    def problem(self, event, text):
        self.problems.append("event %s (%s): %s" % (event.get("eventId", "?"), event.get("eventType", "?"), text))

    @staticmethod
    def attrs(event):
        value = event.get(attributes_member(event.get("eventType") or ""))
        return value if isinstance(value, dict) else {}

    def run(self):
        if not isinstance(self.events, list) or not self.events:
            return ["the history has no events"]
        last_seconds = None
        for position, event in enumerate(self.events, start=1):
            if not isinstance(event, dict):
                self.problems.append("item %d of the history is %r, not an event" % (position, event))
                continue
            self.check_frame(event, position)
            seconds = _seconds(event.get("eventTimestamp"))
            if seconds is not None:
                if last_seconds is not None and seconds < last_seconds:
                    self.problem(event, "its timestamp goes back %.3f s from the event before"
                                 % (last_seconds - seconds))
                last_seconds = seconds
            if self.close_event is not None:
                self.problem(event, "recorded after the close event %s" % self.close_event)
            event_id = event.get("eventId")
            if isinstance(event_id, int) and event_id not in self.by_id:
                self.by_id[event_id] = event
            if isinstance(event.get("eventType"), str) and event["eventType"] in self.event_types:
                self.check_references(event)
                self.follow(event)
        return self.problems

    def check_frame(self, event, position):
        event_type = event.get("eventType")
        if event.get("eventId") != position:
            self.problem(event, "its eventId is %r where %d comes next" % (event.get("eventId"), position))
        if position == 1 and event_type != "WorkflowExecutionStarted":
            self.problem(event, "the first event is not WorkflowExecutionStarted")
        if position > 1 and event_type == "WorkflowExecutionStarted":
            self.problem(event, "WorkflowExecutionStarted again, after the first event")
        if not isinstance(event_type, str) or event_type not in self.event_types:
            self.problem(event, "%r is not an SWF event type" % (event_type,))
        present = sorted(k for k in event if k.endswith("EventAttributes"))
        expected = attributes_member(event_type)
        if present != [expected]:
            self.problem(event, "its attributes members are %s, where SWF has exactly %s"
                         % (present or "none", expected))
        frame = {k: v for k, v in event.items() if not k.endswith("EventAttributes") or k == expected}
        found = []
        _check_value(self.shapes, "HistoryEvent", frame, "event", found)
        for text in found:
            self.problem(event, text)

    def check_references(self, event):
        event_type = event["eventType"]
        attrs = self.attrs(event)
        own_id = event.get("eventId")
        targets = dict(REFERENCES.get(event_type, {}))
        for member, value in attrs.items():
            if not member.endswith("EventId"):
                continue
            if member == "decisionTaskCompletedEventId":
                targets.setdefault(member, "DecisionTaskCompleted")
            elif member in OTHER_HISTORY_REFERENCES:
                if isinstance(value, int) and value < 0:
                    self.problem(event, "%s is negative (%d)" % (member, value))
                continue
            elif member not in targets:
                self.problem(event, "%s is a reference this checker does not know" % member)
        for member, target_type in targets.items():
            value = attrs.get(member)
            if value is None or not isinstance(value, int) or isinstance(value, bool):
                continue  # absent or mistyped: reported against the model
            if value == 0 and _zero_allowed(event_type, member, attrs):
                continue
            target = self.by_id.get(value)
            if not isinstance(own_id, int) or value >= own_id or target is None:
                self.problem(event, "%s %d does not name an earlier event" % (member, value))
            elif target.get("eventType") != target_type:
                self.problem(event, "%s %d is a %s, not a %s" % (member, value, target.get("eventType"), target_type))
        if event_type in DECISION_RESULT_EVENTS:
            value = attrs.get("decisionTaskCompletedEventId")
            if isinstance(value, int) and self.latest_completed is not None and value != self.latest_completed:
                self.problem(event, "decisionTaskCompletedEventId %d is not the latest DecisionTaskCompleted (%d)"
                             % (value, self.latest_completed))
        self.check_same_task(event, attrs)

    def target_attrs(self, attrs, member, target_type):
        target = self.by_id.get(attrs.get(member))
        if target is None or target.get("eventType") != target_type:
            return None
        return self.attrs(target)

    def check_same_task(self, event, attrs):
        """The started event a close names belongs to the scheduled (or
        initiated) event it names; timers and cancel requests likewise."""
        event_type = event["eventType"]
        refs = REFERENCES.get(event_type, {})
        started_type = refs.get("startedEventId")
        if started_type and attrs.get("startedEventId"):
            started = self.target_attrs(attrs, "startedEventId", started_type)
            if started is not None:
                for key in ("scheduledEventId", "initiatedEventId"):
                    if key in refs and started.get(key) != attrs.get(key):
                        self.problem(event, "its startedEventId %s started %s %s, not %s %s"
                                     % (attrs.get("startedEventId"), key, started.get(key), key, attrs.get(key)))
                if started_type == "TimerStarted" and started.get("timerId") != attrs.get("timerId"):
                    self.problem(event, "timerId %r, but TimerStarted %s started timer %r"
                                 % (attrs.get("timerId"), attrs.get("startedEventId"), started.get("timerId")))
        if event_type == "ActivityTaskCanceled" and attrs.get("latestCancelRequestedEventId"):
            request = self.target_attrs(attrs, "latestCancelRequestedEventId", "ActivityTaskCancelRequested")
            scheduled = self.target_attrs(attrs, "scheduledEventId", "ActivityTaskScheduled")
            if (request is not None and scheduled is not None
                    and request.get("activityId") != scheduled.get("activityId")):
                self.problem(event, "its cancel request %s is for activity %r, not %r"
                             % (attrs["latestCancelRequestedEventId"], request.get("activityId"),
                                scheduled.get("activityId")))
        if event_type in ("ChildWorkflowExecutionStarted", "ExternalWorkflowExecutionSignaled",
                          "ExternalWorkflowExecutionCancelRequested"):
            initiated = self.by_id.get(attrs.get("initiatedEventId"))
            execution = attrs.get("workflowExecution") or {}
            if initiated is not None:
                wanted = self.attrs(initiated)
                if wanted.get("workflowId") is not None and execution.get("workflowId") != wanted.get("workflowId"):
                    self.problem(event, "workflowExecution %r is not the workflowId %r its initiatedEventId asked for"
                                 % (execution, wanted.get("workflowId")))
                if wanted.get("runId") and execution.get("runId") != wanted.get("runId"):
                    self.problem(event, "workflowExecution %r is not the runId %r its initiatedEventId asked for"
                                 % (execution, wanted.get("runId")))

    def follow(self, event):
        """Moves the life cycles of decision tasks, activities, timers,
        children and Lambda functions on by one event."""
        event_type = event["eventType"]
        event_id = event.get("eventId")
        attrs = self.attrs(event)
        handler = getattr(self, "on_" + event_type, None)
        if handler is not None:
            handler(event, event_id, attrs)
        if event_type in CLOSE_EVENTS:
            self.close_event = "%s (%s)" % (event_id, event_type)
        if event_type in CLOSE_DECISION_EVENTS:
            self.check_handled(event, attrs)

    # -- decision tasks -------------------------------------------------------

    def on_DecisionTaskScheduled(self, event, event_id, attrs):
        if self.open_decision is not None:
            self.problem(event, "a decision task is scheduled while the one scheduled at %s is still open"
                         % self.open_decision["scheduled"])
        self.open_decision = {"scheduled": event_id, "started": None}

    def on_DecisionTaskStarted(self, event, event_id, attrs):
        task = self.open_decision
        if task is None or task["scheduled"] != attrs.get("scheduledEventId"):
            self.problem(event, "it starts decision task %s, which is not the open one (%s)"
                         % (attrs.get("scheduledEventId"), task and task["scheduled"]))
        elif task["started"] is not None:
            self.problem(event, "decision task %s was already started at %s" % (task["scheduled"], task["started"]))
        else:
            task["started"] = event_id

    def close_decision(self, event, attrs, may_be_unstarted):
        task = self.open_decision
        if task is None or task["scheduled"] != attrs.get("scheduledEventId"):
            self.problem(event, "it ends decision task %s, which is not the open one (%s)"
                         % (attrs.get("scheduledEventId"), task and task["scheduled"]))
            return
        started = attrs.get("startedEventId") or None
        if task["started"] != started and not (may_be_unstarted and task["started"] is None and started is None):
            self.problem(event, "its startedEventId %s is not the start of decision task %s (%s)"
                         % (attrs.get("startedEventId"), task["scheduled"], task["started"]))
        self.open_decision = None

    def on_DecisionTaskCompleted(self, event, event_id, attrs):
        self.close_decision(event, attrs, may_be_unstarted=False)
        self.latest_completed = event_id

    def on_DecisionTaskTimedOut(self, event, event_id, attrs):
        self.close_decision(event, attrs, may_be_unstarted=attrs.get("timeoutType") == "SCHEDULE_TO_START")

    def check_handled(self, event, attrs):
        completed = self.by_id.get(attrs.get("decisionTaskCompletedEventId"))
        if completed is None or completed.get("eventType") != "DecisionTaskCompleted":
            return
        started_id = self.attrs(completed).get("startedEventId")
        if not isinstance(started_id, int):
            return
        for between in range(started_id + 1, completed["eventId"]):
            other = self.by_id.get(between)
            if other is not None and other.get("eventType") in UNHANDLED_IF_DURING_DECISION:
                self.problem(event, "the decision closed the execution although %d (%s) arrived while its decision "
                             "task ran; SWF refuses that close with UNHANDLED_DECISION"
                             % (between, other.get("eventType")))
                return

    # -- activity tasks and Lambda functions ------------------------------------

    def on_ActivityTaskScheduled(self, event, event_id, attrs):
        activity_id = attrs.get("activityId")
        if activity_id in self.open_activity_ids:
            self.problem(event, "activityId %r is still in use by the activity scheduled at %s"
                         % (activity_id, self.open_activity_ids[activity_id]))
        self.activities[event_id] = {"activityId": activity_id, "started": None, "closed": None}
        self.open_activity_ids[activity_id] = event_id

    def start_task(self, tasks, event, event_id, attrs, what):
        task = tasks.get(attrs.get("scheduledEventId"))
        if task is None:
            return  # reported as a bad reference
        if task["closed"] is not None:
            self.problem(event, "%s %s was already closed at %s"
                         % (what, attrs.get("scheduledEventId"), task["closed"]))
        elif task["started"] is not None:
            self.problem(event, "%s %s was already started at %s"
                         % (what, attrs.get("scheduledEventId"), task["started"]))
        else:
            task["started"] = event_id

    def close_task(self, tasks, event, event_id, attrs, what, may_be_unstarted):
        task = tasks.get(attrs.get("scheduledEventId"))
        if task is None:
            return
        if task["closed"] is not None:
            self.problem(event, "%s %s was already closed at %s"
                         % (what, attrs.get("scheduledEventId"), task["closed"]))
            return
        started = attrs.get("startedEventId") or None
        if started != task["started"] and not (may_be_unstarted and started is None):
            self.problem(event, "its startedEventId %s is not the start of %s %s (%s)"
                         % (attrs.get("startedEventId"), what, attrs.get("scheduledEventId"), task["started"]))
        elif started is None and task["started"] is not None:
            self.problem(event, "startedEventId 0, but %s %s was started at %s"
                         % (what, attrs.get("scheduledEventId"), task["started"]))
        task["closed"] = event_id
        if tasks is self.activities and self.open_activity_ids.get(task["activityId"]) == attrs.get("scheduledEventId"):
            del self.open_activity_ids[task["activityId"]]

    def on_ActivityTaskStarted(self, event, event_id, attrs):
        self.start_task(self.activities, event, event_id, attrs, "activity task")

    def on_ActivityTaskCompleted(self, event, event_id, attrs):
        self.close_task(self.activities, event, event_id, attrs, "activity task", False)

    on_ActivityTaskFailed = on_ActivityTaskCompleted

    def on_ActivityTaskTimedOut(self, event, event_id, attrs):
        self.close_task(self.activities, event, event_id, attrs, "activity task",
                        attrs.get("timeoutType") in ("SCHEDULE_TO_START", "SCHEDULE_TO_CLOSE"))

    def on_ActivityTaskCanceled(self, event, event_id, attrs):
        self.close_task(self.activities, event, event_id, attrs, "activity task", True)

    def on_ActivityTaskCancelRequested(self, event, event_id, attrs):
        if attrs.get("activityId") not in self.open_activity_ids:
            self.problem(event, "activityId %r names no open activity task (SWF records "
                         "RequestCancelActivityTaskFailed ACTIVITY_ID_UNKNOWN)" % (attrs.get("activityId"),))

    def on_LambdaFunctionScheduled(self, event, event_id, attrs):
        self.lambdas[event_id] = {"started": None, "closed": None}

    def on_LambdaFunctionStarted(self, event, event_id, attrs):
        self.start_task(self.lambdas, event, event_id, attrs, "Lambda function")

    def on_LambdaFunctionCompleted(self, event, event_id, attrs):
        self.close_task(self.lambdas, event, event_id, attrs, "Lambda function", False)

    on_LambdaFunctionFailed = on_LambdaFunctionCompleted
    on_LambdaFunctionTimedOut = on_LambdaFunctionCompleted

    def on_StartLambdaFunctionFailed(self, event, event_id, attrs):
        if attrs.get("scheduledEventId"):
            self.close_task(self.lambdas, event, event_id, attrs, "Lambda function", True)

    # -- timers ---------------------------------------------------------------

    def on_TimerStarted(self, event, event_id, attrs):
        timer_id = attrs.get("timerId")
        if timer_id in self.open_timer_ids:
            self.problem(event, "timerId %r is still in use by the timer started at %s"
                         % (timer_id, self.open_timer_ids[timer_id]))
        self.timers[event_id] = {"timerId": timer_id, "closed": None}
        self.open_timer_ids[timer_id] = event_id

    def on_TimerFired(self, event, event_id, attrs):
        timer = self.timers.get(attrs.get("startedEventId"))
        if timer is None:
            return
        if timer["closed"] is not None:
            self.problem(event, "timer %s already ended at %s" % (attrs.get("startedEventId"), timer["closed"]))
            return
        timer["closed"] = event_id
        if self.open_timer_ids.get(timer["timerId"]) == attrs.get("startedEventId"):
            del self.open_timer_ids[timer["timerId"]]

    on_TimerCanceled = on_TimerFired

    # -- child workflows and external executions -------------------------------

    def on_StartChildWorkflowExecutionInitiated(self, event, event_id, attrs):
        self.children[event_id] = {"started": None, "closed": None}

    def on_StartChildWorkflowExecutionFailed(self, event, event_id, attrs):
        child = self.children.get(attrs.get("initiatedEventId"))
        if child is None:
            return
        if child["started"] is not None or child["closed"] is not None:
            self.problem(event, "child %s already started or ended" % attrs.get("initiatedEventId"))
        child["closed"] = event_id

    def on_ChildWorkflowExecutionStarted(self, event, event_id, attrs):
        child = self.children.get(attrs.get("initiatedEventId"))
        if child is None:
            return
        if child["started"] is not None or child["closed"] is not None:
            self.problem(event, "child %s already started or ended" % attrs.get("initiatedEventId"))
        else:
            child["started"] = event_id

    def on_child_closed(self, event, event_id, attrs):
        child = self.children.get(attrs.get("initiatedEventId"))
        if child is None:
            return
        if child["closed"] is not None:
            self.problem(event, "child %s already ended at %s" % (attrs.get("initiatedEventId"), child["closed"]))
        elif child["started"] is None:
            self.problem(event, "child %s ends without ChildWorkflowExecutionStarted" % attrs.get("initiatedEventId"))
        child["closed"] = event_id

    on_ChildWorkflowExecutionCompleted = on_child_closed
    on_ChildWorkflowExecutionFailed = on_child_closed
    on_ChildWorkflowExecutionTimedOut = on_child_closed
    on_ChildWorkflowExecutionCanceled = on_child_closed
    on_ChildWorkflowExecutionTerminated = on_child_closed

    def on_SignalExternalWorkflowExecutionInitiated(self, event, event_id, attrs):
        self.external[event_id] = None

    on_RequestCancelExternalWorkflowExecutionInitiated = on_SignalExternalWorkflowExecutionInitiated

    def on_external_outcome(self, event, event_id, attrs):
        initiated = attrs.get("initiatedEventId")
        if initiated in self.external:
            if self.external[initiated] is not None:
                self.problem(event, "the request %s already had its outcome at %s"
                             % (initiated, self.external[initiated]))
            self.external[initiated] = event_id

    on_ExternalWorkflowExecutionSignaled = on_external_outcome
    on_SignalExternalWorkflowExecutionFailed = on_external_outcome
    on_ExternalWorkflowExecutionCancelRequested = on_external_outcome
    on_RequestCancelExternalWorkflowExecutionFailed = on_external_outcome


def check_history(events):
    """The problems of a history (a list of events, all pages in order); [] if none."""
    return _Checker(events).run()


# -- the checker's own tests ------------------------------------------------------

T0 = 1700000000.0
WORKFLOW_TYPE = {"name": "check.workflow", "version": "1"}
ACTIVITY_TYPE = {"name": "check.activity", "version": "1"}
DECISIONS = {"name": "check-decisions"}


def _event(event_id, event_type, **attrs):
    return {"eventId": event_id, "eventTimestamp": T0 + event_id, "eventType": event_type,
            attributes_member(event_type): attrs}


def _history(*specs):
    """Events numbered 1.. from (eventType, attrs) pairs."""
    return [_event(i, t, **a) for i, (t, a) in enumerate(specs, start=1)]


def good_activity_history():
    """Start, schedule an activity, complete it, complete the workflow."""
    return _history(
        ("WorkflowExecutionStarted", dict(childPolicy="TERMINATE", taskList=DECISIONS, workflowType=WORKFLOW_TYPE,
                                          executionStartToCloseTimeout="600", taskStartToCloseTimeout="30",
                                          input="in")),
        ("DecisionTaskScheduled", dict(taskList=DECISIONS, startToCloseTimeout="30")),
        ("DecisionTaskStarted", dict(scheduledEventId=2, identity="decider")),
        ("DecisionTaskCompleted", dict(scheduledEventId=2, startedEventId=3)),
        ("ActivityTaskScheduled", dict(activityId="a1", activityType=ACTIVITY_TYPE, taskList={"name": "acts"},
                                       decisionTaskCompletedEventId=4, heartbeatTimeout="NONE",
                                       scheduleToCloseTimeout="120", scheduleToStartTimeout="60",
                                       startToCloseTimeout="60")),
        ("ActivityTaskStarted", dict(scheduledEventId=5, identity="worker")),
        ("ActivityTaskCompleted", dict(scheduledEventId=5, startedEventId=6, result="out")),
        ("DecisionTaskScheduled", dict(taskList=DECISIONS, startToCloseTimeout="30")),
        ("DecisionTaskStarted", dict(scheduledEventId=8, identity="decider")),
        ("DecisionTaskCompleted", dict(scheduledEventId=8, startedEventId=9)),
        ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=10, result="done")))


def good_child_timer_history():
    """A child workflow, a timer, a signal from outside, a cancelled activity."""
    child = {"workflowId": "kid", "runId": "run-kid"}
    return _history(
        ("WorkflowExecutionStarted", dict(childPolicy="TERMINATE", taskList=DECISIONS, workflowType=WORKFLOW_TYPE)),
        ("DecisionTaskScheduled", dict(taskList=DECISIONS)),
        ("DecisionTaskStarted", dict(scheduledEventId=2)),
        ("DecisionTaskCompleted", dict(scheduledEventId=2, startedEventId=3)),
        ("StartChildWorkflowExecutionInitiated", dict(workflowId="kid", workflowType=WORKFLOW_TYPE,
                                                      taskList={"name": "kids"}, decisionTaskCompletedEventId=4,
                                                      childPolicy="TERMINATE")),
        ("TimerStarted", dict(timerId="t1", startToFireTimeout="1", decisionTaskCompletedEventId=4)),
        ("ActivityTaskScheduled", dict(activityId="a1", activityType=ACTIVITY_TYPE, taskList={"name": "acts"},
                                       decisionTaskCompletedEventId=4)),
        ("ChildWorkflowExecutionStarted", dict(workflowExecution=child, workflowType=WORKFLOW_TYPE,
                                               initiatedEventId=5)),
        ("DecisionTaskScheduled", dict(taskList=DECISIONS)),
        ("TimerFired", dict(timerId="t1", startedEventId=6)),
        ("WorkflowExecutionSignaled", dict(signalName="go", externalWorkflowExecution={"workflowId": "x", "runId": "r"},
                                           externalInitiatedEventId=17)),
        ("DecisionTaskStarted", dict(scheduledEventId=9)),
        ("DecisionTaskCompleted", dict(scheduledEventId=9, startedEventId=12)),
        ("ActivityTaskCancelRequested", dict(activityId="a1", decisionTaskCompletedEventId=13)),
        ("ActivityTaskCanceled", dict(scheduledEventId=7, startedEventId=0, latestCancelRequestedEventId=14)),
        ("ChildWorkflowExecutionCompleted", dict(workflowExecution=child, workflowType=WORKFLOW_TYPE,
                                                 initiatedEventId=5, startedEventId=8, result="kid done")),
        ("DecisionTaskScheduled", dict(taskList=DECISIONS)),
        ("DecisionTaskStarted", dict(scheduledEventId=17)),
        ("DecisionTaskTimedOut", dict(timeoutType="START_TO_CLOSE", scheduledEventId=17, startedEventId=18)),
        ("DecisionTaskScheduled", dict(taskList=DECISIONS)),
        ("DecisionTaskStarted", dict(scheduledEventId=20)),
        ("DecisionTaskCompleted", dict(scheduledEventId=20, startedEventId=21)),
        ("WorkflowExecutionContinuedAsNew", dict(decisionTaskCompletedEventId=22, newExecutionRunId="run-2",
                                                 taskList=DECISIONS, childPolicy="TERMINATE",
                                                 workflowType=WORKFLOW_TYPE, input="next")))


class SwfHistoryCheckTest(unittest.TestCase):
    def assertProblems(self, events, *fragments):
        """The checker finds problems, and each fragment is in one of them."""
        problems = check_history(events)
        self.assertTrue(problems, "the checker found nothing wrong")
        for fragment in fragments:
            self.assertTrue(any(fragment in p for p in problems), "%r not in %s" % (fragment, problems))

    def test_good_histories_pass(self):
        self.assertEqual(check_history(good_activity_history()), [])
        self.assertEqual(check_history(good_child_timer_history()), [])

    def test_boto3_timestamps_pass(self):
        events = good_activity_history()
        for e in events:
            e["eventTimestamp"] = datetime.datetime.fromtimestamp(e["eventTimestamp"], tz=datetime.timezone.utc)
        self.assertEqual(check_history(events), [])

    def test_the_references_table_covers_the_model(self):
        shapes = load_model()
        for event_type in shapes["EventType"]["enum"]:
            shape = shapes[shapes["HistoryEvent"]["members"][attributes_member(event_type)]["shape"]]
            for member in shape["members"]:
                if member.endswith("EventId") and member != "decisionTaskCompletedEventId":
                    self.assertTrue(member in REFERENCES.get(event_type, {}) or member in OTHER_HISTORY_REFERENCES,
                                    "%s.%s" % (event_type, member))

    def test_empty_history(self):
        self.assertEqual(check_history([]), ["the history has no events"])

    def test_ids_must_be_consecutive(self):
        events = good_activity_history()
        del events[5]
        self.assertProblems(events, "its eventId is 7 where 6 comes next")

    def test_first_event_must_be_started(self):
        events = good_activity_history()[1:]
        for i, e in enumerate(events, start=1):
            e["eventId"] = i
        self.assertProblems(events, "the first event is not WorkflowExecutionStarted")

    def test_timestamps_must_not_go_back(self):
        events = good_activity_history()
        events[6]["eventTimestamp"] = T0
        self.assertProblems(events, "event 7 (ActivityTaskCompleted): its timestamp goes back")

    def test_attributes_member_must_match_type(self):
        events = good_activity_history()
        events[3]["decisionTaskStartedEventAttributes"] = events[3].pop("decisionTaskCompletedEventAttributes")
        self.assertProblems(events, "event 4 (DecisionTaskCompleted): its attributes members are "
                                    "['decisionTaskStartedEventAttributes']")
        events = good_activity_history()
        events[1]["timerFiredEventAttributes"] = {"timerId": "t", "startedEventId": 1}
        self.assertProblems(events, "where SWF has exactly decisionTaskScheduledEventAttributes")

    def test_unknown_event_type(self):
        # moto_server writes a cancelled timer as "TimerCancelled".
        events = good_activity_history()
        events[6] = _event(7, "TimerCancelled", timerId="t1", startedEventId=5, decisionTaskCompletedEventId=4)
        self.assertProblems(events, "'TimerCancelled' is not an SWF event type")

    def test_required_members_types_and_limits(self):
        events = good_activity_history()
        del events[4]["activityTaskScheduledEventAttributes"]["activityType"]
        events[6]["activityTaskCompletedEventAttributes"]["result"] = "x" * 32769
        events[2]["decisionTaskStartedEventAttributes"]["scheduledEventId"] = "2"
        events[0]["workflowExecutionStartedEventAttributes"]["childPolicy"] = "KILL"
        events[0]["workflowExecutionStartedEventAttributes"]["colour"] = "red"
        events[1]["decisionTaskScheduledEventAttributes"]["startToCloseTimeout"] = "1m"
        del events[1]["decisionTaskScheduledEventAttributes"]["taskList"]["name"]
        self.assertProblems(events,
                            "event 5 (ActivityTaskScheduled): event.activityTaskScheduledEventAttributes lacks the "
                            "required member activityType",
                            "result is 32769 characters long, more than 32768",
                            "scheduledEventId is '2', not an integer",
                            "childPolicy is 'KILL', not one of TERMINATE|REQUEST_CANCEL|ABANDON",
                            "has the member colour, unknown to WorkflowExecutionStartedEventAttributes",
                            "startToCloseTimeout is '1m', neither NONE nor whole seconds",
                            "taskList lacks the required member name")

    def test_missing_event_frame_members(self):
        events = good_activity_history()
        del events[2]["eventTimestamp"]
        self.assertProblems(events, "event 3 (DecisionTaskStarted): event lacks the required member eventTimestamp")

    def test_reference_to_wrong_type_or_later_event(self):
        events = good_activity_history()
        events[5]["activityTaskStartedEventAttributes"]["scheduledEventId"] = 4
        self.assertProblems(events, "event 6 (ActivityTaskStarted): scheduledEventId 4 is a DecisionTaskCompleted, "
                                    "not a ActivityTaskScheduled")
        events = good_activity_history()
        events[4]["activityTaskScheduledEventAttributes"]["decisionTaskCompletedEventId"] = 10
        self.assertProblems(events, "decisionTaskCompletedEventId 10 does not name an earlier event")

    def test_completion_must_name_the_start_of_its_own_task(self):
        events = good_child_timer_history()
        events[15]["childWorkflowExecutionCompletedEventAttributes"]["startedEventId"] = 8
        events[15]["childWorkflowExecutionCompletedEventAttributes"]["initiatedEventId"] = 5
        self.assertEqual(check_history(events), [])
        events = good_activity_history()
        events[6]["activityTaskCompletedEventAttributes"]["startedEventId"] = 3
        self.assertProblems(events, "startedEventId 3 is a DecisionTaskStarted")
        events = good_child_timer_history()
        events[9]["timerFiredEventAttributes"]["timerId"] = "t2"
        self.assertProblems(events, "timerId 't2', but TimerStarted 6 started timer 't1'")

    def test_two_open_decision_tasks(self):
        # As moto_server writes a signal that arrives while a decision task is scheduled.
        events = _history(
            ("WorkflowExecutionStarted", dict(childPolicy="TERMINATE", taskList=DECISIONS, workflowType=WORKFLOW_TYPE)),
            ("DecisionTaskScheduled", dict(taskList=DECISIONS)),
            ("WorkflowExecutionSignaled", dict(signalName="go")),
            ("DecisionTaskScheduled", dict(taskList=DECISIONS)),
            ("DecisionTaskStarted", dict(scheduledEventId=2)),
            ("DecisionTaskCompleted", dict(scheduledEventId=2, startedEventId=5)),
            ("WorkflowExecutionCompleted", dict(decisionTaskCompletedEventId=6)))
        self.assertProblems(events, "event 4 (DecisionTaskScheduled): a decision task is scheduled while the one "
                                    "scheduled at 2 is still open")

    def test_decision_task_started_twice_or_never_scheduled(self):
        events = good_activity_history()
        events[8]["decisionTaskStartedEventAttributes"]["scheduledEventId"] = 2
        self.assertProblems(events, "event 9 (DecisionTaskStarted): it starts decision task 2, which is not the open "
                                    "one (8)")
        events = good_activity_history()[:3]
        events.append(_event(4, "DecisionTaskStarted", scheduledEventId=2))
        self.assertProblems(events, "event 4 (DecisionTaskStarted): decision task 2 was already started at 3")

    def test_activity_started_twice_and_closed_twice(self):
        events = good_activity_history()[:6] + [
            _event(7, "ActivityTaskStarted", scheduledEventId=5),
            _event(8, "ActivityTaskCompleted", scheduledEventId=5, startedEventId=6),
            _event(9, "ActivityTaskFailed", scheduledEventId=5, startedEventId=6, reason="again")]
        self.assertProblems(events, "event 7 (ActivityTaskStarted): activity task 5 was already started at 6",
                            "event 9 (ActivityTaskFailed): activity task 5 was already closed at 8")

    def test_activity_timed_out_before_start_names_no_start(self):
        events = good_activity_history()[:5]
        events.append(_event(6, "ActivityTaskTimedOut", timeoutType="SCHEDULE_TO_START", scheduledEventId=5,
                             startedEventId=0))
        self.assertEqual(check_history(events), [])
        events[5]["activityTaskTimedOutEventAttributes"]["timeoutType"] = "HEARTBEAT"
        self.assertProblems(events, "startedEventId 0 does not name an earlier event")

    def test_activity_id_reused_while_open(self):
        scheduled = good_activity_history()[4]["activityTaskScheduledEventAttributes"]
        events = good_activity_history()[:5] + [_event(6, "ActivityTaskScheduled", **scheduled)]
        self.assertProblems(events, "event 6 (ActivityTaskScheduled): activityId 'a1' is still in use by the "
                                    "activity scheduled at 5")
        # Once the first is closed, the id may be used again.
        again = dict(scheduled, decisionTaskCompletedEventId=10)
        events = good_activity_history()[:10] + [_event(11, "ActivityTaskScheduled", **again)]
        self.assertEqual(check_history(events), [])

    def test_cancel_request_for_unknown_activity(self):
        events = good_child_timer_history()
        events[13]["activityTaskCancelRequestedEventAttributes"]["activityId"] = "nope"
        self.assertProblems(events, "activityId 'nope' names no open activity task")

    def test_decision_result_names_the_latest_completion(self):
        events = good_child_timer_history()
        events[13]["activityTaskCancelRequestedEventAttributes"]["decisionTaskCompletedEventId"] = 4
        self.assertProblems(events, "decisionTaskCompletedEventId 4 is not the latest DecisionTaskCompleted (13)")

    def test_events_after_close_and_two_closes(self):
        events = good_activity_history()
        events.append(_event(12, "WorkflowExecutionTerminated", childPolicy="TERMINATE"))
        self.assertProblems(events, "event 12 (WorkflowExecutionTerminated): recorded after the close event "
                                    "11 (WorkflowExecutionCompleted)")

    def test_close_over_an_unhandled_signal(self):
        # moto_server accepts this close; SWF answers CompleteWorkflowExecutionFailed UNHANDLED_DECISION.
        events = good_activity_history()[:9]
        events += [_event(10, "WorkflowExecutionSignaled", signalName="late"),
                   _event(11, "DecisionTaskCompleted", scheduledEventId=8, startedEventId=9),
                   _event(12, "WorkflowExecutionCompleted", decisionTaskCompletedEventId=11)]
        self.assertProblems(events, "event 12 (WorkflowExecutionCompleted): the decision closed the execution "
                                    "although 10 (WorkflowExecutionSignaled) arrived while its decision task ran")
        events[11] = _event(12, "CompleteWorkflowExecutionFailed", cause="UNHANDLED_DECISION",
                            decisionTaskCompletedEventId=11)
        events.append(_event(13, "DecisionTaskScheduled", taskList=DECISIONS))
        self.assertEqual(check_history(events), [])

    def test_child_ends_without_start_and_signal_outcome_twice(self):
        child = {"workflowId": "kid", "runId": "run-kid"}
        events = good_child_timer_history()[:5] + [
            _event(6, "ChildWorkflowExecutionCompleted", workflowExecution=child, workflowType=WORKFLOW_TYPE,
                   initiatedEventId=5, startedEventId=5)]
        self.assertProblems(events, "startedEventId 5 is a StartChildWorkflowExecutionInitiated, not a "
                                    "ChildWorkflowExecutionStarted",
                            "child 5 ends without ChildWorkflowExecutionStarted")
        events = good_child_timer_history()[:6]
        events.append(_event(7, "SignalExternalWorkflowExecutionInitiated", workflowId="w", signalName="s",
                             decisionTaskCompletedEventId=4))
        events.append(_event(8, "ExternalWorkflowExecutionSignaled",
                             workflowExecution={"workflowId": "w", "runId": "r"}, initiatedEventId=7))
        events.append(_event(9, "SignalExternalWorkflowExecutionFailed", workflowId="w", initiatedEventId=7,
                             decisionTaskCompletedEventId=4, cause="UNKNOWN_EXTERNAL_WORKFLOW_EXECUTION"))
        self.assertProblems(events, "the request 7 already had its outcome at 8")

    def test_external_signal_names_the_wrong_execution(self):
        events = good_child_timer_history()[:6]
        events.append(_event(7, "SignalExternalWorkflowExecutionInitiated", workflowId="w", runId="r1",
                             signalName="s", decisionTaskCompletedEventId=4))
        events.append(_event(8, "ExternalWorkflowExecutionSignaled",
                             workflowExecution={"workflowId": "w", "runId": "r2"}, initiatedEventId=7))
        self.assertProblems(events, "is not the runId 'r1' its initiatedEventId asked for")

    def test_malformed_input_does_not_crash(self):
        problems = check_history([{"eventType": 7}, "junk", {"eventId": 3}])
        self.assertTrue(any("not an event" in p for p in problems), problems)
        self.assertTrue(any("not an SWF event type" in p for p in problems), problems)

    def test_the_projects_canned_histories_pass(self):
        """The hand-written histories the replay tests use keep SWF's rules too."""
        root = os.path.normpath(os.path.join(HERE, ".."))
        paths = sorted(glob.glob(os.path.join(root, "integration", "replay_histories", "*.json")) +
                       glob.glob(os.path.join(root, "workflow", "histories", "*.json")))
        for path in paths:
            with open(path) as f:
                document = json.load(f)
            if not isinstance(document, dict) or not isinstance(document.get("events"), list):
                continue
            with self.subTest(history=os.path.relpath(path, root)):
                self.assertEqual(check_history(document["events"]), [])


if __name__ == "__main__":
    unittest.main()
