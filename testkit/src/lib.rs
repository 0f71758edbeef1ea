//! Test support for cognito-flows (being written): starts moto on 127.0.0.1.
