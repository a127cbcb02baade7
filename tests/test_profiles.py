import pytest

from course_utils import profiles


@pytest.mark.parametrize("raw, expected", [("", "workshop"), ("smoke", "smoke"), (" FULL ", "full"),
                                           ("Workshop", "workshop")])
def test_get_profile_reads_env(monkeypatch, raw, expected):
    monkeypatch.setenv("COURSE_PROFILE", raw)
    assert profiles.get_profile() == expected


def test_default_profile_when_unset(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    assert profiles.get_profile() == "workshop"


def test_unknown_profile_names_the_valid_ones(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "fast")
    with pytest.raises(profiles.ProfileError, match="smoke, workshop, full"):
        profiles.get_profile()


@pytest.mark.parametrize("name, expected", [("smoke", 1), ("workshop", 5), ("full", 20)])
def test_by_profile_picks_the_active_value(profile, name, expected):
    profile(name)
    assert profiles.by_profile(smoke=1, workshop=5, full=20) == expected


def test_by_profile_full_defaults_to_workshop(profile):
    profile("full")
    assert profiles.by_profile(smoke=1, workshop=5) == 5


def test_by_profile_none_is_a_real_value(profile):
    # None means "all the data" (n_train=None); it must not fall back to workshop's value
    profile("full")
    assert profiles.by_profile(smoke=1, workshop=5, full=None) is None
    profile("smoke")
    assert profiles.by_profile(smoke=None, workshop=5) is None


def test_is_smoke(profile):
    profile("smoke")
    assert profiles.is_smoke()
    profile("workshop")
    assert not profiles.is_smoke()


def test_topic_modules_load_on_first_use():
    import sys

    import course_utils as cu

    assert cu.detection.__name__ == "course_utils.detection" and "course_utils.detection" in sys.modules
    assert callable(cu.kernels.apply_kernel)
    import pytest as _pytest

    with _pytest.raises(AttributeError, match="no attribute 'nope'"):
        cu.nope  # noqa: B018
