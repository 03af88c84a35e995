"""The rule-based emergency check on phrasings that are NOT in the training data.

False negatives are the costliest error, so the must-fire list is long and deliberately messy:
typos, text-speak, slang, no punctuation, long rambling messages with the danger at the end.
"""

from __future__ import annotations

import pytest

from bot.nlu.danger import DangerCheck

CHECK = DangerCheck.load()

MUST_FIRE = [
    "999",
    "cant speak",
    "someone left a suitcase by the ticket barrier and its ticking",
    "my brother has been drinking all day and is about to drive the kids to school",
    "my uncle necked a box of co-codamol and is falling asleep",
    "she beats me every night and she is hitting me right now",
    "thieves are in the back garden taking the bikes",
    "took a load of my mums pills n i want to die",
    "someone spiked my drink at the club i feel really dizzy and cant walk",
    "my mate fell in the canal by camden lock and cant get out",
    "a man is walking along the tube tracks at stockwell",
    "my dad is slapping my little brother",
    "im being held in a flat in ilford and they wont give me my phone back",
    "2 guys bundling a woman into the boot of a car on the high road",
    "an envelope with white powder inside arrived at reception",
    "My friend took a whole box of paracetamol about an hour ago and now she's being sick",
    "my mum has dementia, she went out to the shops and has not come back",
    "i injected all my insulin on purpose, feeling really weird and shaky now",
    "stuck in the lift at work with a man who keeps touching me and wont stop",
    "please my son 9 years not come home from school, is 7pm now, we look everywhere",
    "someone is breaking into my flat",
    "there's a guy trying to break in through the back window",
    "somebody is in my house right now",
    "i think there's an intruder downstairs",
    "i heard someone downstairs i'm on my own",
    "theyre kicking my door down",
    "a man has a knife",
    "guy with a kinfe outside tesco",
    "he pulled a blade on me",
    "someone's waving a gun around",
    "there's a shooting on the high road",
    "my son has been stabbed",
    "my mate got stabbed, he's bleeding badly",
    "he's not breathing",
    "she's unconscious on the floor",
    "my husband is hitting me",
    "my dad is beating my mum",
    "he's strangling her",
    "i'm being attacked",
    "im gettin followed by a car",
    "a man is following me and i'm scared",
    "someone chasing me",
    "he said he's going to kill me",
    "my ex is threatening to kill me",
    "he's outside my door",
    "my ex is at the window",
    "i'm hiding in the wardrobe",
    "HELP",
    "help!!!",
    "heeeelp",
    "please help",
    "somebody help",
    "send police now",
    "need police right now",
    "get an ambulance now",
    "emergancy",
    "its an emergancy",
    "im in danger",
    "my kids are in danger",
    "i fear for my life",
    "i've taken an overdose",
    "i took all my tablets",
    "i've swallowed a load of paracetamol",
    "im gonna jump off the bridge",
    "i'm going to kill myself tonight",
    "i'm on the roof and i want to jump",
    "my daughter has gone missing she's 5",
    "i can't find my toddler in the shopping centre",
    "there's a suspicious package on the bus",
    "someone left a bag and ran, could be a bomb",
    "a car just ran over a cyclist",
    "someone just snatched my phone and ran off",
    "serious accident on the a13 people hurt",
    "they are robbing the off licence",
    "a gang is fighting outside the station",
    "men fighting with bats on my road",
    "kids smashing car windows right now",
    "someone is stealing my bike right now",
    "sum1 tryna break in",
    "some1 is in my garden",
    "there's a fire and someone is trapped",
    "i've been kidnapped",
    "I was going to ask about opening hours but actually my neighbour is screaming for help",
    "Sorry to bother you, I don't know if this is the right place, I live alone in a ground "
    "floor flat and for the past ten minutes I can hear someone trying to get in",
    # A past marker does not cancel a clear "now".
    "he stabbed my brother last week and hes outside my house now",
    "I cant find my 4 year old he was here a minute ago",
    "5yo nephew wandered off 20 mins ago",
    "they robbed me 5 mins ago and theyre still outside",
    "the man who attacked me yesterday is still outside my flat",
    "my daughter is 14 and has learning disabilities, she didnt come home after school",
    "theres a little girl on her own by the canal, no adults around",
    # Questions and admin words never hide danger said now.
    "how long till police come, he's got a knife and he's outside",
    "i need an interpreter my husband has a knife",
    "what am i supposed to do he's got a knife",
    "can police come quick he has a gun",
    "if someone doesnt come now he will stab me",
    "it's an emergency, my neighbour is screaming for help",
    # Added with the router's emergency threshold at 0.4: danger the router alone caught below it.
    "theres a machete fight on the estate",
    "guys outside the chicken shop having a knife fight",
    "some idiot is firing an air rifle at the kids in the park",
    "the man upstairs is pointing a gun out the window",
    "my dads lips are going blue and he wont answer me",
    "a woman on the overpass is threatening to throw herself off",
    "a jiffy bag in the post room has some white powder spilling out of it",
    "5 lads have got me surrounded by the garages",
    "come quick",
    "please hurry now",
    "they broke in",
    "a boy of about 4 is walking down the middle of the road on his own",
    "someone's been following me since the station, i'm almost home and scared",
    "my car was stolen in may but the guy who took it is outside my flat right now",
]

MUST_NOT_FIRE = [
    "our shop gets vandalised every weekend, can someone come and take a statement",
    "my garage was set on fire in 2022 and nobody was ever charged",
    "i was shouting for help when they robbed me last month and nobody stopped",
    "is 101 the number when its not emergency",
    "sometimes i want to go to sleep and not wake up, who can i talk to",
    "i was spiked at a party in march, can i still report it",
    "my cousin thinks the men at the car wash are being forced to work for nothing",
    "i took two tablets for my back and want to know where the nearest station is",
    "a man was on the tracks last week and my train was delayed for hours",
    "i took two paracetamol for my headache, can i still drive",
    "my nan had a load of tablets stolen from her bag",
    "I cut myself on purpose last year and want to talk to someone",
    "my boss kept touching me at the christmas party and wouldnt stop, it was last year",
    # Danger words about the past or in general, with no sign of "now".
    "my son was stabbed two weeks ago outside his college, we want to report it",
    "is carrying a knife illegal in the uk",
    "i keep thinking about suicide. not in danger rn just need someone to talk to",
    "the people in the flat next door have visitors shouting all hours",
    "my adult son went missing last year, who can help us look",
    "man with a hammer took my phone sunday night in edmonton",
    "our front door was kicked in on saturday, nothing taken",
    "where is the nearest police station",
    "what time does lewisham police station open",
    "i want to report my phone stolen",
    "my bike was stolen yesterday",
    "my car was broken into last night",
    "we were burgled while we were away",
    "i was mugged last week",
    "someone smashed my window last night",
    "I want to report criminal damage",
    "how do i report a burglary",
    "what should i do if someone breaks in",
    "what happens if I report a crime online",
    "i've been scammed out of £200",
    "my instagram got hacked",
    "my neighbour plays loud music every night",
    "i want to make a complaint about an officer",
    "how do I apply to become a police officer",
    "what are my rights in a stop and search",
    "i lost my wallet on the tube",
    "can i follow up my crime report",
    "i'm following up on my report from march",
    "i need a crime reference number for my insurance",
    "how do i get a firearms licence",
    "hello",
    "thanks for your help",
    "what's the weather like",
    "can you help me find a police station",
    "my dog is missing",
    "is it illegal to ride an e-scooter",
    "people dealing drugs on my estate",
    "i want to report antisocial behaviour",
    "i found a bag of clothes in the park",
    "my car was clamped",
    "there was a fight outside the pub last saturday",
    "i'd like to compliment an officer who helped me",
    "can the police search my car because there was a shooting near my road",
    "how long does a section 60 order last",
    "where are the knife amnesty bins in croydon",
    "is knife crime going up in southwark this year",
    "if someone pulls a knife on me can i defend myself",
    "my son got stabbed in the summer and i want compensation",
    "i'm a witness at court next week for an assault and i'm nervous",
    "the fight outside has finished and everyone has gone, should i still report it",
    "they were fighting on the stairs but they left around midnight",
    "can i get an emergency passport if mine was stolen",
    "don't think its an emergency but my bike was nicked",
    "someone keyed my car overnight with a knife",
    "there was a knife fight near my school last year, how do i find out what happened",
    "my neighbour used to fire a bb gun at pigeons, he's moved out now",
    "the parcel came with some powder for the printer",
    "is the knife crime lesson at my son's school run by the police",
    "a kid of 9 in my class keeps getting left out",
    "i'm nearly home, where's the nearest station to drop off a wallet i found",
]


@pytest.mark.parametrize("text", MUST_FIRE)
def test_present_danger_fires(text: str) -> None:
    assert CHECK.reasons(text), f"missed an emergency: {text!r}"


@pytest.mark.parametrize("text", MUST_NOT_FIRE)
def test_ordinary_requests_do_not_fire(text: str) -> None:
    assert not CHECK.reasons(text), f"false emergency: {text!r} → {CHECK.reasons(text)}"


def test_normalisation_expands_text_speak_and_repeats() -> None:
    assert CHECK.normalised("sum1 is tryna get in 2nite HEEEELP") == (
        "someone is trying to get in tonight help"
    )


def test_reasons_name_the_pattern_groups() -> None:
    assert "weapon" in CHECK.reasons("he has a knife")
    assert CHECK.reasons("they are breaking into the shop") == ["happening_now"]
