"""Lambda triggers as a webhook server, in plain Python (standard library only).

The emulator POSTs each trigger's event (the JSON a Lambda gets) and uses the `response` of the
answer; like a Lambda, this server answers the event with `response` filled in. It is what an
app written in any language would run; `emulator/tests/webhooks.rs` starts it and drives the
emulator against it.

    python3 webhook_server.py        prints "PORT <n>" on stdout, then serves on 127.0.0.1:<n>

Paths:
  /define, /create, /verify   custom auth: one question ("What is 6 x 7?"), three tries; started
                              with SRP_A: PASSWORD_VERIFIER first, a wrong password fails
  /define-one-try             the same, but one wrong answer fails the sign-in
  /create-hostile             the question as HTML (<script>...), for the login page's escaping
  /pre-sign-up                users whose email ends in @auto.example are confirmed and their
                              email verified; usernames starting with "blocked" are refused
  /post-confirmation          recorded only
  /pre-auth                   usernames starting with "blocked" are refused
  /post-auth                  usernames starting with "audited" are refused
  /custom-message             "[<triggerSource>] your code is {####}" (the invitation: "Welcome
                              {username}, your temporary password is {####}"); usernames
                              starting with "nocode" get a message without the code
  /pre-token                  adds tenant=acme, tries to override sub (Cognito ignores that),
                              suppresses phone_number, sets the groups to ["admins"]
  /pre-token-m2m              (V3, TokenGeneration_ClientCredentials) adds tenant=acme to the
                              access token, tries to override client_id (ignored), adds the
                              scope orders/audit and suppresses orders/write
  /slow                       answers after 3 seconds
  /garbage                    answers 200 with a body that is not JSON
  /error                      answers 500 with a Lambda error ({"errorMessage": ...})
  GET /calls                  every event received so far, oldest first
"""

import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CALLS = []
LOCK = threading.Lock()


def define(event):
    session = event["request"]["session"]
    # CUSTOM_AUTH started with SRP (CHALLENGE_NAME=SRP_A), as AWS's example runs it: the
    # password first, then the question.
    if session and session[-1]["challengeName"] == "SRP_A":
        return {"challengeName": "PASSWORD_VERIFIER", "issueTokens": False, "failAuthentication": False}
    if session and session[-1]["challengeName"] == "PASSWORD_VERIFIER" and not session[-1]["challengeResult"]:
        return {"challengeName": None, "issueTokens": False, "failAuthentication": True}
    if session and session[-1]["challengeName"] == "CUSTOM_CHALLENGE" and session[-1]["challengeResult"]:
        return {"challengeName": None, "issueTokens": True, "failAuthentication": False}
    if len([s for s in session if s["challengeName"] == "CUSTOM_CHALLENGE"]) >= 3:
        return {"challengeName": None, "issueTokens": False, "failAuthentication": True}
    return {"challengeName": "CUSTOM_CHALLENGE", "issueTokens": False, "failAuthentication": False}


def define_one_try(event):
    """Like define, but one wrong answer fails the sign-in."""
    session = event["request"]["session"]
    if session and session[-1]["challengeName"] == "CUSTOM_CHALLENGE" and not session[-1]["challengeResult"]:
        return {"challengeName": None, "issueTokens": False, "failAuthentication": True}
    return define(event)


def create(event):
    return {
        "publicChallengeParameters": {"question": "What is 6 x 7?"},
        "privateChallengeParameters": {"answer": "42"},
        "challengeMetadata": "QUIZ",
    }


def create_hostile(event):
    """A challenge whose public parameter is HTML: the login page must show it as text."""
    return {
        "publicChallengeParameters": {"question": "<script>alert(1)</script> 6 x 7?"},
        "privateChallengeParameters": {"answer": "42"},
        "challengeMetadata": "QUIZ",
    }


def verify(event):
    request = event["request"]
    return {"answerCorrect": request["challengeAnswer"] == request["privateChallengeParameters"]["answer"]}


def pre_sign_up(event):
    if event["userName"].startswith("blocked"):
        raise ValueError("Sign-ups from blocked users are refused")
    auto = event["request"]["userAttributes"].get("email", "").endswith("@auto.example")
    return {"autoConfirmUser": auto, "autoVerifyEmail": auto, "autoVerifyPhone": False}


def pre_authentication(event):
    if event["userName"].startswith("blocked"):
        raise ValueError("Sign-ins from blocked users are refused")
    return {}


def post_authentication(event):
    if event["userName"].startswith("audited"):
        raise ValueError("The audit log is down")
    return {}


def custom_message(event):
    request = event["request"]
    source = event["triggerSource"]
    if event["userName"].startswith("nocode"):
        return {"emailMessage": "A message without the code", "smsMessage": None, "emailSubject": "Oops"}
    code = request["codeParameter"]
    if source == "CustomMessage_AdminCreateUser":
        text = f"Welcome {request['usernameParameter']}, your temporary password is {code}"
    else:
        text = f"[{source}] your code is {code}"
    return {"emailMessage": text, "smsMessage": text, "emailSubject": f"Subject {source}"}


def pre_token(event):
    return {
        "claimsOverrideDetails": {
            "claimsToAddOrOverride": {"tenant": "acme", "sub": "not-the-sub"},
            "claimsToSuppress": ["phone_number"],
            "groupOverrideDetails": {"groupsToOverride": ["admins"]},
        }
    }


def pre_token_m2m(event):
    return {
        "claimsAndScopeOverrideDetails": {
            "accessTokenGeneration": {
                "claimsToAddOrOverride": {"tenant": "acme", "client_id": "not-the-client"},
                "scopesToAdd": ["orders/audit"],
                "scopesToSuppress": ["orders/write"],
            }
        }
    }


TRIGGERS = {
    "/define": define,
    "/define-one-try": define_one_try,
    "/create": create,
    "/create-hostile": create_hostile,
    "/verify": verify,
    "/pre-sign-up": pre_sign_up,
    "/post-confirmation": lambda event: {},
    "/pre-token": pre_token,
    "/pre-auth": pre_authentication,
    "/post-auth": post_authentication,
    "/custom-message": custom_message,
    "/pre-token-m2m": pre_token_m2m,
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the emulator gave up waiting (the timeout test)

    def do_GET(self):
        if self.path == "/calls":
            with LOCK:
                self.reply(200, json.dumps(CALLS))
        else:
            self.reply(404, "{}")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        event = json.loads(self.rfile.read(length))
        with LOCK:
            CALLS.append({"path": self.path, "event": event})
        if self.path == "/slow":
            time.sleep(3)
            self.reply(200, json.dumps(event))
        elif self.path == "/garbage":
            self.reply(200, "this is not JSON", "text/plain")
        elif self.path == "/error":
            self.reply(500, json.dumps({"errorType": "Error", "errorMessage": "boom"}))
        elif self.path in TRIGGERS:
            try:
                event["response"] = TRIGGERS[self.path](event)
            except ValueError as e:
                # What a Lambda that throws answers: its error, which Cognito reports.
                self.reply(500, json.dumps({"errorType": "Error", "errorMessage": str(e)}))
                return
            self.reply(200, json.dumps(event))
        else:
            self.reply(404, "{}")


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    # Stops when the test that started it closes our stdin (or kills us).
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
