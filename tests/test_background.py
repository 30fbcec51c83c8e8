"""Page furniture and background: what an answer must not lead with."""

from rag.background import is_caption, looks_back, points_elsewhere


def test_links_to_other_stories_point_elsewhere():
    assert points_elsewhere("More:Ford Explorer drivers complain of dizziness, nausea, vomiting")
    assert points_elsewhere("Live updates: First lady Jill Biden visits shelter in Ukraine")
    assert not points_elsewhere("More than 40 people were missing in a rural Virginia county.")
    assert points_elsewhere("• Rookie NFL player retires over safety issues")


def test_the_outlet_promoting_itself_states_nothing():
    assert points_elsewhere("Sign up here for the '5 Things' newsletter.")
    assert points_elsewhere("Get CNN Health's weekly newsletter Sign up here to get The Results Are In with Dr.")
    assert not points_elsewhere("Everyone age 16 or older should sign up for the vaccine.")
    assert not points_elsewhere("Would you sign up for daily tacos?")
    # ... or speaking of its own pages
    assert points_elsewhere('(You can get "Morning Brief" delivered to your inbox daily.')
    assert points_elsewhere("A version of this story appeared in the Weekly Science newsletter.")
    assert points_elsewhere("This is the weekly edition of the outlet's health newsletter.")
    assert points_elsewhere("Editor's note: Our reporters are on the ground in the county.")
    assert not points_elsewhere("The packages were delivered to the clinic on Monday.")
    assert not points_elsewhere("This is the third edition of the festival, organisers said.")


def test_photo_credits_mark_captions():
    assert is_caption("Rutherford was 15 when he got his pilot's license Nikolay Doychinov/AFP/Getty Images")
    assert is_caption("(Photo by Alex Wong/Getty Images)")
    assert not is_caption("The agency said the AP-style guide was updated.")


def test_a_wire_photo_dateline_marks_a_caption():
    assert is_caption("This aerial view shows the destruction left by Hurricane Ian on October 02, 2022 in Fort Myers Beach, Florida.")
    assert is_caption("Crowds arrive for the rally on January 6, 2021 in Washington, DC.")
    assert not is_caption("The storm hit on October 2, 2022 in Florida, officials said.")
    assert not is_caption("The law takes effect on January 1, 2023, in every state.")
    # where, then when
    assert is_caption("A couple walks past damage from Hurricane Ian on Litchfield Beach, South Carolina on October 1, 2022.")
    assert is_caption("The prime minister speaks outside Number 10 Downing Street on October 20, 2022.")
    assert not is_caption("The law takes effect on January 1, 2023.")
    assert not is_caption("He was sworn in as president of Brazil on January 1, 2023.")


def test_headings_and_datelines_state_nothing():
    assert is_caption("Most expensive gas in the USA") and is_caption("São Paulo, Brazil CNN —")
    assert not is_caption("Is the pandemic over?") and not is_caption("He said “it is over”")
    assert not is_caption("Gas rose 5% (to $5).") and not is_caption("“We won.”")


def test_an_older_year_further_down_looks_back():
    assert looks_back("The Lightning won the Cup in 2020 and 2021.", 6, "2022-06-27", set())
    assert not looks_back("The Lightning won the Cup in 2020 and 2021.", 1, "2022-06-27", set())
    assert not looks_back("The Lightning won the Cup in 2020 and 2021.", 6, "2022-06-27", {"2021"})
    assert looks_back("Only one other club has been sold in the past 10 years: the Panthers.", 5, "2022-08-09", set())
