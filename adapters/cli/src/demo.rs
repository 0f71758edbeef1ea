//! `cognito demo`: the whole tour against the embedded emulator, printing each step and every
//! request made (operation and outcome; never a secret).

use std::error::Error as StdError;
use std::io;
use std::time::SystemTime;

use cognito_flows::flows::account::{self, MfaPreferences, NewUser};
use cognito_flows::wire::MfaSettings;
use cognito_flows::{ErrorKind, Flow, ForgotPassword, Input, Prompt, SignIn, UserPool, totp};
use cognito_flows_emulator::{
    ClientConfig, DeviceTracking, Emulator, EmulatorConfig, Mfa, PoolConfig,
};
use cognito_flows_ureq::{DriveError, agent, drive_with, entropy, send};
use serde_json::Value;

type Result<T> = std::result::Result<T, Box<dyn StdError>>;

const USER: &str = "alice";
const PASSWORD: &str = "Corr3ct-Horse!";

/// A one-line summary of a request: the operation, and the auth flow or challenge it carries.
fn describe_request(request: &http::Request<Vec<u8>>) -> String {
    let op = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(|t| t.trim_start_matches("AWSCognitoIdentityProviderService."))
        .unwrap_or("?")
        .to_owned();
    let body: Value = serde_json::from_slice(request.body()).unwrap_or(Value::Null);
    match (body.get("AuthFlow"), body.get("ChallengeName")) {
        (Some(flow), _) => format!("{op} {}", flow.as_str().unwrap_or("")),
        (_, Some(name)) => format!("{op} {}", name.as_str().unwrap_or("")),
        _ => op,
    }
}

/// A one-line summary of a response: the challenge, tokens, or the exception.
fn describe_response(response: &http::Response<Vec<u8>>) -> String {
    let body: Value = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    let what = if let Some(t) = body.get("__type") {
        format!(
            "{} ({})",
            t.as_str().unwrap_or(""),
            body.get("message").and_then(Value::as_str).unwrap_or("")
        )
    } else if let Some(c) = body.get("ChallengeName") {
        format!("challenge {}", c.as_str().unwrap_or(""))
    } else if let Some(r) = body.get("AuthenticationResult") {
        let device = if r.get("NewDeviceMetadata").is_some() {
            " + new device"
        } else {
            ""
        };
        format!("tokens{device}")
    } else {
        "ok".to_owned()
    };
    format!("{} {what}", response.status().as_u16())
}

fn run_flow<F: Flow + Send>(
    agent: &ureq::Agent,
    flow: F,
    mut answer: impl FnMut(Prompt) -> std::result::Result<Input, io::Error>,
) -> std::result::Result<F::Output, DriveError>
where
    F::Output: Send,
{
    drive_with(
        |request| {
            println!("    -> {}", describe_request(&request));
            let response = send(agent, request)?;
            println!("    <- {}", describe_response(&response));
            Ok(response)
        },
        flow,
        |prompt| answer(prompt).map_err(Into::into),
    )
}

fn no_prompt(prompt: Prompt) -> std::result::Result<Input, io::Error> {
    Err(io::Error::other(format!(
        "unexpected prompt: {}",
        prompt.kind()
    )))
}

/// What the markers of each step mean.
const LEGEND: &str = "each step shows:\n    -> a request sent (the operation, and the auth flow or challenge)\n    <- \
Cognito's answer (HTTP status, then the challenge, the tokens or the error)\n    ?? a question \
the flow asked the user, and the demo's answer";

/// Whether a confirmed device is remembered, in words.
fn remembered(status: Option<bool>) -> &'static str {
    match status {
        Some(true) => "yes (the next sign-in skips MFA)",
        Some(false) => "no (confirmed, not remembered)",
        None => "not asked (the pool remembers every device, or none)",
    }
}

fn step(n: u32, title: &str) {
    println!("\n{n:>2}. {title}");
}

/// Runs the tour.
pub(crate) fn run() -> Result<()> {
    let emulator = Emulator::start(EmulatorConfig::default())?;
    let pool_id = emulator.create_user_pool(PoolConfig {
        name: "demo".into(),
        mfa: Mfa::Optional,
        device_tracking: DeviceTracking::UserOptIn,
        ..PoolConfig::default()
    });
    let client = emulator
        .create_client(
            &pool_id,
            ClientConfig {
                secret: true,
                ..ClientConfig::default()
            },
        )
        .ok_or("no pool")?;
    let mut pool =
        UserPool::new(&pool_id, client.id.clone())?.with_endpoint(emulator.endpoint())?;
    if let Some(secret) = &client.secret {
        pool = pool.with_client_secret(secret.as_str());
    }
    let agent = agent();
    println!(
        "cognito-flows demo against the embedded emulator at {}",
        emulator.endpoint()
    );
    println!(
        "pool {pool_id}, app client {} (with a secret: every call carries SECRET_HASH)",
        client.id
    );
    println!("{LEGEND}");

    step(1, "sign up");
    let user = NewUser::new(USER, PASSWORD).attribute("email", "alice@example.com");
    let signed_up = run_flow(&agent, account::sign_up(&pool, &user), no_prompt)?;
    println!(
        "    user {} created, confirmed: {}",
        signed_up.user_sub, signed_up.user_confirmed
    );

    step(2, "confirm the sign-up with the emailed code");
    let code = emulator.last_code(USER).ok_or("no code sent")?;
    println!("    the emulator's outbox has code {code}");
    run_flow(
        &agent,
        account::confirm_sign_up(&pool, USER, &code, false),
        no_prompt,
    )?;

    step(
        3,
        "sign in with SRP (the password never leaves this process)",
    );
    let signed_in = run_flow(
        &agent,
        SignIn::user_srp(&pool, USER, PASSWORD, entropy()?),
        |prompt| match prompt {
            Prompt::RememberDevice { device_key } => {
                println!("    ?? remember device {device_key}? not this one");
                Ok(Input::RememberDevice(false))
            }
            other => no_prompt(other),
        },
    )?;
    println!(
        "    signed in as {} (sub {})",
        signed_in.username,
        signed_in
            .tokens
            .id_token
            .as_ref()
            .and_then(|t| t.claims().sub())
            .unwrap_or("")
    );
    let access = signed_in.tokens.access_token.clone();

    step(4, "set up TOTP MFA");
    let associated = run_flow(
        &agent,
        account::associate_software_token(&pool, &access),
        no_prompt,
    )?;
    let secret = associated.secret_code.ok_or("no TOTP secret")?;
    println!(
        "    authenticator URI: {}",
        totp::otpauth_uri("[secret]", "cognito-flows demo", USER).expose()
    );
    let now = || SystemTime::now();
    let code = totp::code(secret.expose(), now())?;
    run_flow(
        &agent,
        account::verify_software_token(&pool, &access, code.expose(), Some("demo phone")),
        no_prompt,
    )?;
    let on = Some(MfaSettings {
        enabled: true,
        preferred_mfa: true,
    });
    run_flow(
        &agent,
        account::set_user_mfa_preference(
            &pool,
            &access,
            MfaPreferences {
                totp: on,
                ..Default::default()
            },
        ),
        no_prompt,
    )?;

    step(5, "sign in with MFA, and remember this device");
    let mfa_sign_in = run_flow(
        &agent,
        SignIn::builder(&pool)
            .with_device_name("demo laptop")
            .user_srp(USER, PASSWORD, entropy()?),
        |prompt| match prompt {
            Prompt::TotpCode { .. } => {
                println!(
                    "    ?? TOTP code (computed from the secret, as an authenticator app would)"
                );
                totp::code(secret.expose(), now())
                    .map(Input::Code)
                    .map_err(io::Error::other)
            }
            Prompt::RememberDevice { device_key } => {
                println!("    ?? remember device {device_key}? yes");
                Ok(Input::RememberDevice(true))
            }
            other => no_prompt(other),
        },
    )?;
    let device = mfa_sign_in.device.ok_or("no device confirmed")?;
    println!(
        "    device {} confirmed; remembered: {}",
        device.credentials.device_key,
        remembered(device.remembered)
    );

    step(
        6,
        "sign in as the remembered device: device SRP instead of MFA",
    );
    let device_sign_in = run_flow(
        &agent,
        SignIn::builder(&pool)
            .with_device(device.credentials.clone())
            .user_srp(USER, PASSWORD, entropy()?),
        no_prompt,
    )?;
    println!(
        "    no code asked; the access token names the device: {}",
        device_sign_in
            .tokens
            .access_token
            .claims()
            .str("device_key")
            .unwrap_or("")
    );

    step(7, "refresh the tokens (with the device key)");
    let refresh_token = device_sign_in
        .tokens
        .refresh_token
        .clone()
        .ok_or("no refresh token")?;
    let refreshed = run_flow(
        &agent,
        SignIn::builder(&pool)
            .with_device(device.credentials.clone())
            .refresh(USER, refresh_token.clone(), entropy()?),
        no_prompt,
    )?;
    println!(
        "    new access token, valid: {}",
        refreshed.tokens.is_valid(now())
    );

    step(8, "forgot password");
    run_flow(
        &agent,
        ForgotPassword::new(&pool, USER),
        |prompt| match prompt {
            Prompt::PasswordReset { delivery, .. } => {
                let code = emulator
                    .last_code(USER)
                    .ok_or_else(|| io::Error::other("no code"))?;
                println!(
                    "    ?? code sent to {} is {code}; new password chosen",
                    delivery.destination.unwrap_or_default()
                );
                Ok(Input::PasswordReset {
                    code: code.into(),
                    password: "N3w-Horse-Battery!".into(),
                })
            }
            other => no_prompt(other),
        },
    )?;

    step(
        9,
        "the old password is refused (the emulator checks SRP for real); the new one works",
    );
    match run_flow(
        &agent,
        SignIn::builder(&pool)
            .with_device(device.credentials.clone())
            .user_srp(USER, PASSWORD, entropy()?),
        no_prompt,
    ) {
        Err(DriveError::Auth(e)) if e.service_kind() == Some(&ErrorKind::NotAuthorized) => {
            println!("    refused: {e}")
        }
        other => {
            return Err(
                format!("the old password was not refused: {:?}", other.map(|_| ())).into(),
            );
        }
    }
    let last = run_flow(
        &agent,
        SignIn::builder(&pool)
            .with_device(device.credentials.clone())
            .user_srp(USER, "N3w-Horse-Battery!", entropy()?),
        no_prompt,
    )?;

    step(10, "sign out everywhere: the refresh token stops working");
    run_flow(
        &agent,
        account::global_sign_out(&pool, &last.tokens.access_token),
        no_prompt,
    )?;
    emulator.advance(std::time::Duration::from_secs(1));
    match run_flow(
        &agent,
        SignIn::refresh(&pool, USER, refresh_token, entropy()?),
        no_prompt,
    ) {
        Err(DriveError::Auth(e)) if e.service_kind() == Some(&ErrorKind::NotAuthorized) => {
            println!("    refused: {e}")
        }
        other => {
            return Err(format!(
                "the refresh still worked after sign-out: {:?}",
                other.map(|_| ())
            )
            .into());
        }
    }
    println!("\ndone: every step passed.");
    Ok(())
}
