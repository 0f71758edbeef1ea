//! The pre-signed URLs of user import jobs: `PUT /_emulator/user-import/<pool>/<job>?token=<t>`
//! stores the job's CSV file, as a `PUT` to the S3 URL Cognito answers does. The token is the
//! unguessable one CreateUserImportJob put in the URL; the answers to a refusal are S3's XML
//! errors.

use http::Method;

use crate::api::user_import::{MAX_CSV, upload};
use crate::auth::shared::Shared;
use crate::web::Reply;

/// Where the pre-signed URLs live.
const PREFIX: &str = "/_emulator/user-import/";

/// The body limit of a request to `path`: [`MAX_CSV`] for an upload (and one byte more, so that
/// a larger file is refused with S3's error), `None` for any other path.
pub(crate) fn body_limit(path: &str) -> Option<usize> {
    path.starts_with(PREFIX).then_some(MAX_CSV + 1)
}

fn s3_error(status: u16, code: &str, message: &str) -> Reply {
    (
        status,
        vec![("Content-Type", "application/xml".into())],
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message></Error>",
            message
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        ),
    )
}

/// The answer to a request for a pre-signed URL, or `None` for another path.
pub(crate) fn route(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &str,
    body: &[u8],
) -> Option<Reply> {
    let rest = path.strip_prefix(PREFIX)?;
    if *method != Method::PUT {
        return Some(s3_error(
            405,
            "MethodNotAllowed",
            "The specified method is not allowed against this resource.",
        ));
    }
    let token = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .unwrap_or("");
    let Some((pool_id, job_id)) = rest.split_once('/') else {
        return Some(s3_error(
            404,
            "NoSuchKey",
            "The specified key does not exist.",
        ));
    };
    Some(match upload(shared, pool_id, job_id, token, body) {
        Ok(()) => (200, Vec::new(), String::new()),
        Err((status, code, message)) => s3_error(status, code, &message),
    })
}
