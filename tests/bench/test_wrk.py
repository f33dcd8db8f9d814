"""What a wrk run's output says: the response checks of the Lua script are read, and a run that cannot
show them, or made no request, has measured nothing."""

import pytest

from bench import wrk
from bench.workloads import Workload

OUTPUT = """Running 5s test @ http://127.0.0.1:4000/graphql
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    68.61ms   20.12ms 145.54ms   70.00%
  Latency Distribution
     50%   68.61ms
     75%   80.00ms
     90%  100.00ms
     99%  145.54ms
  {requests} requests in 5.00s, 1.00MB read
{sockets}Requests/sec:    103.00
Transfer/sec:    200.00KB
{checks}"""


def output(requests=515, checks="bench-checks: non-2xx 0, error bodies 0\n", sockets=""):
    return OUTPUT.format(requests=requests, checks=checks, sockets=sockets)


def test_a_clean_run_is_read_with_no_errors():
    run = wrk.parse(output())
    assert (run["requests"], run["rps"], run["p50"], run["p99"]) == (515, 103.0, 68.61, 145.54)
    assert wrk.errors(run) == 0


def test_error_bodies_and_bad_statuses_are_errors():
    run = wrk.parse(output(checks="bench-checks: non-2xx 3, error bodies 7\n"))
    assert (run["non_2xx"], run["error_bodies"], wrk.errors(run)) == (3, 7, 10)


def test_socket_errors_are_errors():
    run = wrk.parse(output(sockets="  Socket errors: connect 0, read 2, write 0, timeout 1\n"))
    assert wrk.errors(run) == 3


def test_a_run_without_the_response_checks_measured_nothing():
    with pytest.raises(wrk.MeasuredNothing, match="response checks"):
        wrk.parse(output(checks=""))


def test_a_run_without_requests_measured_nothing():
    with pytest.raises(wrk.MeasuredNothing, match="no request"):
        wrk.parse(output(requests=0))


@pytest.mark.parametrize(("graphql", "flag"), [(True, "CHECK_BODY = true"), (False, "CHECK_BODY = false")])
def test_the_script_looks_for_errors_in_graphql_bodies_only(graphql, flag):
    script = wrk.lua_script(Workload("w", "POST", "/graphql", {"Authorization": "Bearer t"}, graphql=graphql))
    assert flag in script
    assert "function response(status, headers, body)" in script
    assert 'wrk.headers["Authorization"] = "Bearer t"' in script
