"""Procedure codes a family-medicine, internal-medicine, urgent-care or PT practice bills daily.

Sources: CPT (Level I HCPCS) codes are owned by the AMA and their descriptors are copyrighted, so
the CPT descriptions below are our own short plain-language summaries, not AMA text. HCPCS Level II
codes (letter first) use the CMS HCPCS Level II descriptions, which are public domain.
"""

from __future__ import annotations

# CPT: our own summaries (not AMA descriptors).
_CPT: dict[str, str] = {
    "99202": "New patient office visit, straightforward decisions (or about 15+ minutes)",
    "99203": "New patient office visit, low-complexity decisions (or about 30+ minutes)",
    "99204": "New patient office visit, moderate-complexity decisions (or about 45+ minutes)",
    "99205": "New patient office visit, high-complexity decisions (or about 60+ minutes)",
    "99211": "Established patient office visit, minimal problem (often a nurse visit)",
    "99212": "Established patient office visit, straightforward decisions (or about 10+ minutes)",
    "99213": "Established patient office visit, low-complexity decisions (or about 20+ minutes)",
    "99214": "Established patient office visit, moderate-complexity decisions (or about 30+ "
    "minutes)",
    "99215": "Established patient office visit, high-complexity decisions (or about 40+ minutes)",
    "99381": "Preventive checkup, new patient, under 1 year old",
    "99382": "Preventive checkup, new patient, age 1 to 4",
    "99383": "Preventive checkup, new patient, age 5 to 11",
    "99384": "Preventive checkup, new patient, age 12 to 17",
    "99385": "Preventive checkup, new patient, age 18 to 39",
    "99386": "Preventive checkup, new patient, age 40 to 64",
    "99387": "Preventive checkup, new patient, 65 or older",
    "99391": "Preventive checkup, established patient, under 1 year old",
    "99392": "Preventive checkup, established patient, age 1 to 4",
    "99393": "Preventive checkup, established patient, age 5 to 11",
    "99394": "Preventive checkup, established patient, age 12 to 17",
    "99395": "Preventive checkup, established patient, age 18 to 39",
    "99396": "Preventive checkup, established patient, age 40 to 64",
    "99397": "Preventive checkup, established patient, 65 or older",
    "99401": "Preventive counselling or risk-reduction talk, about 15 minutes",
    "99406": "Quit-smoking counselling, 3 to 10 minutes",
    "99421": "Online patient-portal visit, 5 to 10 minutes over 7 days",
    "99490": "Chronic care management by clinical staff, first 20 minutes in a month",
    "99495": "Care after hospital discharge, moderate complexity, seen within 14 days",
    "99496": "Care after hospital discharge, high complexity, seen within 7 days",
    "99497": "Advance care planning talk, first 30 minutes",
    "96127": "Short scored emotional/behavioural questionnaire (e.g. PHQ-9)",
    "96372": "Injection of a drug into muscle or under the skin",
    "36415": "Blood draw from a vein",
    "80048": "Basic metabolic blood panel",
    "80053": "Comprehensive metabolic blood panel",
    "80061": "Cholesterol (lipid) panel",
    "82306": "Vitamin D (25-hydroxy) level",
    "82947": "Blood glucose, lab measured",
    "82962": "Blood glucose by fingerstick meter",
    "83036": "Hemoglobin A1c (average blood sugar)",
    "84153": "PSA (prostate-specific antigen), total",
    "84443": "TSH (thyroid-stimulating hormone)",
    "85025": "Complete blood count with automated differential",
    "85027": "Complete blood count, automated, no differential",
    "81002": "Urine dipstick test read by eye, no microscope",
    "81003": "Urine dipstick test read by machine, no microscope",
    "81025": "Urine pregnancy test",
    "87086": "Urine culture with colony count",
    "87804": "Rapid flu test",
    "87811": "Rapid COVID-19 antigen test",
    "87880": "Rapid strep throat test",
    "90471": "Giving a vaccine by injection, first vaccine",
    "90472": "Giving a vaccine by injection, each additional vaccine",
    "90686": "Flu vaccine, preservative-free, 0.5 mL, into muscle",
    "90677": "Pneumococcal conjugate vaccine, 20-valent, into muscle",
    "90715": "Tdap vaccine (tetanus, diphtheria, whooping cough), age 7 and up",
    "90750": "Shingles vaccine, recombinant, into muscle",
    "93000": "Electrocardiogram (ECG), 12-lead, with reading and report",
    "94640": "Breathing (nebulizer) treatment",
    "94760": "Pulse oximetry, single reading",
    "97110": "Therapeutic exercise, each 15 minutes",
    "97112": "Neuromuscular re-education, each 15 minutes",
    "97116": "Gait (walking) training, each 15 minutes",
    "97140": "Hands-on manual therapy, each 15 minutes",
    "97161": "Physical therapy evaluation, low complexity",
    "97162": "Physical therapy evaluation, moderate complexity",
    "97163": "Physical therapy evaluation, high complexity",
    "97164": "Physical therapy re-evaluation",
    "97530": "Therapeutic functional activities, each 15 minutes",
    "97010": "Hot or cold pack therapy",
    "97035": "Therapeutic ultrasound, each 15 minutes",
    "20550": "Injection into a tendon sheath or ligament",
    "20610": "Draining or injecting a large joint or bursa, no ultrasound guidance",
    "10060": "Incision and drainage of a simple skin abscess",
    "11102": "Shave-type (tangential) skin biopsy, single lesion",
    "11103": "Shave-type (tangential) skin biopsy, each additional lesion",
    "12001": "Simple stitch repair of a small (up to 2.5 cm) surface wound",
    "17000": "Destroying a precancerous skin lesion (e.g. actinic keratosis), first lesion",
    "17003": "Destroying precancerous skin lesions, lesions 2 to 14, each",
    "17110": "Destroying benign skin lesions such as warts, up to 14",
    "69210": "Removing impacted earwax with instruments, one ear",
    "71046": "Chest X-ray, 2 views",
    "72100": "Lower-back (lumbar spine) X-ray, 2 or 3 views",
    "73030": "Shoulder X-ray, at least 2 views",
    "73130": "Hand X-ray, at least 3 views",
    "73562": "Knee X-ray, 3 views",
    "73610": "Ankle X-ray, complete, at least 3 views",
}

# HCPCS Level II: CMS descriptions (public domain).
_HCPCS: dict[str, str] = {
    "G0008": "Administration of influenza virus vaccine",
    "G0009": "Administration of pneumococcal vaccine",
    "G0402": "Initial preventive physical examination; face-to-face visit, services limited to new "
    "beneficiary during the first 12 months of Medicare enrollment",
    "G0438": "Annual wellness visit; includes a personalized prevention plan of service (PPS), "
    "initial visit",
    "G0439": "Annual wellness visit, includes a personalized prevention plan of service (PPS), "
    "subsequent visit",
    "G0442": "Annual alcohol misuse screening, 5 to 15 minutes",
    "G0444": "Annual depression screening, 5 to 15 minutes",
    "G2211": "Visit complexity inherent to evaluation and management associated with medical care "
    "services that serve as the continuing focal point for all needed health care services (add-on "
    "code)",
    "G0283": "Electrical stimulation (unattended), to one or more areas for indication(s) other "
    "than wound care, as part of a therapy plan of care",
    "J0696": "Injection, ceftriaxone sodium, per 250 mg",
    "J1030": "Injection, methylprednisolone acetate, 40 mg",
    "J1040": "Injection, methylprednisolone acetate, 80 mg",
    "J1100": "Injection, dexamethasone sodium phosphate, 1 mg",
    "J1885": "Injection, ketorolac tromethamine, per 15 mg",
    "J2550": "Injection, promethazine HCl, up to 50 mg",
    "J3301": "Injection, triamcinolone acetonide, not otherwise specified, 10 mg",
    "J3420": "Injection, vitamin B-12 cyanocobalamin, up to 1,000 mcg",
}

PROCEDURE: dict[str, str] = {**_CPT, **_HCPCS}
