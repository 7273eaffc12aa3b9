"""The library's error kinds as exception classes; Ctrl-C is a KeyboardInterrupt."""

import simnas


def test_one_class_per_error_kind_under_simnas_error():
    for kind in (simnas.ParseError, simnas.DataError, simnas.DeviceError, simnas.PluginError, simnas.JobError):
        assert issubclass(kind, simnas.Error)
        assert issubclass(kind, Exception)


def test_interrupted_is_a_keyboard_interrupt_not_an_exception():
    assert issubclass(simnas.Interrupted, KeyboardInterrupt)
    assert not issubclass(simnas.Interrupted, Exception)


def test_a_missing_data_folder_is_a_data_error_naming_the_file(tmp_path):
    simnas.configure(data=str(tmp_path / "nowhere"), store=str(tmp_path / "p.sqlite"))
    try:
        simnas.latency_table("pixel3")
    except simnas.DataError as e:
        assert str(tmp_path / "nowhere") in str(e)
        assert "\n" not in str(e)
    else:
        raise AssertionError("read a table from a missing folder")
