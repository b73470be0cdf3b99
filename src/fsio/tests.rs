use super::*;

/// Names in `dir`, sorted (temporary files start with a dot and would show here).
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn content_arrives_whole_and_no_temporary_stays() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.csv");
    let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    write(&path, &big, Replace::Never).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), big);
    write_with(&path, Replace::Allow, |w| w.write_all(b"second")).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second");
    assert_eq!(names(dir.path()), ["a.csv"]);
}

#[test]
fn no_clobber_refuses_an_existing_file_and_leaves_it_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("100.json");
    std::fs::write(&path, b"cardiologist's").unwrap();
    let err = write(&path, b"annotator's", Replace::Never).unwrap_err();
    assert!(err.to_string().contains("100.json"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"cardiologist's");
    assert_eq!(names(dir.path()), ["100.json"]);
}

#[test]
fn a_failed_write_leaves_the_old_file_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    std::fs::write(&path, b"old").unwrap();
    let err = write_with(&path, Replace::Allow, |w| {
        w.write_all(b"half a fi")?;
        Err(std::io::Error::other("disk full"))
    })
    .unwrap_err();
    assert!(err.to_string().contains("out.csv"), "{err}");
    assert!(err.to_string().contains("disk full"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"old");
    assert_eq!(names(dir.path()), ["out.csv"]);
}

#[test]
fn a_missing_folder_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/folder/x.json");
    let err = write(&path, b"x", Replace::Allow).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("x.json"), "{text}");
    assert!(
        text.contains("folder") && text.contains("does not exist"),
        "{text}"
    );
    // Not the hidden temporary file's name, which the user never gave.
    assert!(!text.contains(".x.json."), "{text}");
    assert!(write(Path::new("/"), b"x", Replace::Allow).is_err());
}

#[test]
fn a_set_stops_on_an_existing_file_and_removes_what_it_created() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("1.ii"), dir.path().join("1.json"));
    std::fs::write(&b, b"kept").unwrap();
    assert!(write_set(&[(&a, b"wave"), (&b, b"labels")], Replace::Never).is_err());
    assert_eq!(names(dir.path()), ["1.json"]);
    assert_eq!(std::fs::read(&b).unwrap(), b"kept");
    write_set(&[(&a, b"wave"), (&b, b"labels")], Replace::Allow).unwrap();
    assert_eq!(std::fs::read(&a).unwrap(), b"wave");
    assert_eq!(std::fs::read(&b).unwrap(), b"labels");
    assert_eq!(names(dir.path()), ["1.ii", "1.json"]);
}

#[test]
fn a_folder_given_as_the_file_is_said_plainly_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let err = write(dir.path(), b"rows", Replace::Allow)
        .unwrap_err()
        .to_string();
    assert!(err.contains("is a folder"), "{err}");
    assert!(names(dir.path()).is_empty());
}
