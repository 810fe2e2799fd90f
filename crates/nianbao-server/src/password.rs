//! The password policy: long enough, not the user's own name, not a password attackers try first,
//! not one character or a keyboard run. Returns a typed [`PasswordProblem`]; pages render it.

/// The fewest characters a password may have.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    /// It contains the user name or the display name (or is one of them reversed).
    ContainsName,
    /// It is, or is built on, a password from the list of common ones.
    Common,
    /// Too few different characters, or a run along the keyboard or the alphabet.
    Predictable,
    /// The two entries of the new password differ.
    Mismatch,
    /// The new password is the current one.
    Unchanged,
}

impl PasswordProblem {
    pub fn message_zh(self) -> String {
        match self {
            PasswordProblem::TooShort => format!("新密码至少要有 {MIN_PASSWORD_CHARS} 个字符。"),
            PasswordProblem::TooLong => {
                format!("新密码太长（最多 {} 字节）。", crate::access::MAX_PASSWORD_BYTES)
            }
            PasswordProblem::ContainsName => "新密码不能包含用户名或姓名。".into(),
            PasswordProblem::Common => "这个密码太常见，容易被猜中，请换一个。".into(),
            PasswordProblem::Predictable => {
                "新密码不能是重复字符或键盘、字母顺序（如 1234567890、qwertyuiop）。".into()
            }
            PasswordProblem::Mismatch => "两次输入的新密码不一致。".into(),
            PasswordProblem::Unchanged => "新密码不能与当前密码相同。".into(),
        }
    }

    pub fn message_en(self) -> String {
        match self {
            PasswordProblem::TooShort => format!("The new password needs at least {MIN_PASSWORD_CHARS} characters."),
            PasswordProblem::TooLong => {
                format!("The new password is too long (at most {} bytes).", crate::access::MAX_PASSWORD_BYTES)
            }
            PasswordProblem::ContainsName => "The new password must not contain the user name or your name.".into(),
            PasswordProblem::Common => "This password is too common and easily guessed; choose another.".into(),
            PasswordProblem::Predictable => {
                "The new password must not be one repeated character or a keyboard or alphabet run.".into()
            }
            PasswordProblem::Mismatch => "The two entries of the new password differ.".into(),
            PasswordProblem::Unchanged => "The new password must differ from the current one.".into(),
        }
    }
}

impl From<PasswordProblem> for crate::error::AppError {
    fn from(problem: PasswordProblem) -> Self {
        crate::error::AppError::invalid(problem.message_zh(), problem.message_en())
    }
}

fn common_passwords() -> &'static std::collections::HashSet<&'static str> {
    static LIST: std::sync::OnceLock<std::collections::HashSet<&'static str>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        include_str!("../assets/common-passwords.txt")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect()
    })
}

/// Runs an attacker walks first: along the digits, the alphabet and the keyboard rows, both ways.
const RUNS: [&str; 5] = [
    "01234567890123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn",
    "1q2w3e4r5t6y7u8i9o0p",
];

/// Checks a new password for `username` (whose display name is `display_name`).
pub fn check_new_password(password: &str, username: &str, display_name: &str) -> Result<(), PasswordProblem> {
    if password.len() > crate::access::MAX_PASSWORD_BYTES {
        return Err(PasswordProblem::TooLong);
    }
    if password.trim().chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordProblem::TooShort);
    }
    let lower = password.to_lowercase();
    for name in [username, display_name] {
        let name = name.trim().to_lowercase();
        if name.chars().count() >= 2 {
            let reversed: String = name.chars().rev().collect();
            if lower.contains(&name) || lower.contains(&reversed) {
                return Err(PasswordProblem::ContainsName);
            }
        }
    }
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    if distinct.len() < 4 {
        return Err(PasswordProblem::Predictable);
    }
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let reversed: String = compact.chars().rev().collect();
    if RUNS.iter().any(|run| run.contains(&compact) || run.contains(&reversed)) {
        return Err(PasswordProblem::Predictable);
    }
    let list = common_passwords();
    if list.contains(compact.as_str()) {
        return Err(PasswordProblem::Common);
    }
    // Built on a common one: "Password2024!", "woaini131452", a common word with a little around it.
    let length = compact.chars().count();
    if list
        .iter()
        .any(|word| word.chars().count() >= 4 && compact.contains(word) && word.chars().count() * 2 >= length.min(16))
    {
        return Err(PasswordProblem::Common);
    }
    let digits: String = compact.chars().filter(char::is_ascii_digit).collect();
    let letters = compact.chars().any(char::is_alphabetic);
    if !letters && RUNS[0].contains(&digits) {
        return Err(PasswordProblem::Predictable);
    }
    let chars: Vec<char> = compact.chars().collect();
    for period in 1..=chars.len() / 2 {
        if chars.len().is_multiple_of(period) && chars.chunks(period).all(|chunk| chunk == &chars[..period]) {
            return Err(PasswordProblem::Predictable);
        }
    }
    Ok(())
}

/// A temporary password for an administrator's reset: 15 letters and digits that cannot be
/// mistaken for one another when read out, in groups of five.
pub fn temporary_password() -> Result<String, crate::error::AppError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 15];
    getrandom::fill(&mut bytes).map_err(|e| crate::error::AppError::Internal(format!("no randomness: {e}")))?;
    let chars: Vec<char> = bytes.iter().map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()])).collect();
    Ok(chars.chunks(5).map(|group| group.iter().collect::<String>()).collect::<Vec<_>>().join("-"))
}

#[cfg(test)]
mod tests {
    use super::{PasswordProblem, check_new_password, temporary_password};

    #[test]
    fn the_policy_refuses_each_kind_and_takes_good_passwords() {
        let long = "x".repeat(2000);
        let cases: &[(&str, Result<(), PasswordProblem>)] = &[
            ("short1!", Err(PasswordProblem::TooShort)),
            ("          ", Err(PasswordProblem::TooShort)),
            ("yudu-s1-clerk!", Err(PasswordProblem::ContainsName)),
            ("KRELC-1S-UDUY", Err(PasswordProblem::ContainsName)),
            ("aaaaaaaaaaaa", Err(PasswordProblem::Predictable)),
            ("abababababab", Err(PasswordProblem::Predictable)),
            ("1234567890", Err(PasswordProblem::Predictable)),
            ("0987654321", Err(PasswordProblem::Predictable)),
            ("qwertyuiop", Err(PasswordProblem::Predictable)),
            ("Password2024!", Err(PasswordProblem::Common)),
            ("woaini131452", Err(PasswordProblem::Common)),
            ("nianbao2025", Err(PasswordProblem::Common)),
            ("abcabcabcabc", Err(PasswordProblem::Predictable)),
            ("5201314520", Err(PasswordProblem::Common)),
            (long.as_str(), Err(PasswordProblem::TooLong)),
            ("晨光照在实训楼上", Err(PasswordProblem::TooShort)),
            ("晨光照在实训楼上第三层", Ok(())),
            ("correct horse battery", Ok(())),
            ("Lx7#vk2!Qm9p", Ok(())),
            ("nianbao-sample", Err(PasswordProblem::Common)),
            ("sample-river-2025", Ok(())),
        ];
        for (password, expected) in cases {
            assert_eq!(&check_new_password(password, "yudu-s1-clerk", "于都一职填报员"), expected, "{password:?}");
        }
        assert_eq!(check_new_password("于都一职填报员2025", "x", "于都一职填报员"), Err(PasswordProblem::ContainsName));
    }

    #[test]
    fn temporary_passwords_pass_the_policy_and_differ() {
        let first = temporary_password().expect("random");
        let second = temporary_password().expect("random");
        assert_ne!(first, second);
        assert_eq!(first.len(), 17);
        assert_eq!(check_new_password(&first, "clerk", "填报员"), Ok(()));
    }
}
