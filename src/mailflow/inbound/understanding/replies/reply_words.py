"""The words mail clients write around a quote, per language: one place for the vocabulary.

The rules that use them (:mod:`~mailflow.inbound.understanding.replies.reply_markers`,
:mod:`~mailflow.inbound.understanding.replies.reply_signature`,
:mod:`~mailflow.inbound.understanding.replies.reply_signoff`) are written by structure — where a
line stands, what follows it, how it ends — and look a word up here only to tell a client's line
from a person's. Each constant is a regular-expression alternation, matched case-insensitively; the
languages are the ones mail clients ship (Gmail, Outlook, Apple Mail, Thunderbird, the Chinese,
Japanese and Korean webmails and phones).
"""

from __future__ import annotations

# The verb of an attribution ("On … wrote:"); the name may stand before or after it.
WROTE = (
    r"wrote|writes|a [ée]crit|schrieb|escribi[óo]|ha escrito|scrisse|ha scritto|escreveu"
    r"|ha escrit|va escriure|geschreven|schreef|skrev(?: følgende| följande)?|kirjoitti"
    r"|napisa[łl](?:\(a\)|a)?|napisana przez|pisze|написал[аи]?|написал\(а\)"
    r"|написав(?:\(-?ла\))?|писали?|пише[тш]?"
    r"|şunu yazdı|şunları yazdı|yazdı|írta|napsal[a]?|napisao|έγραψε|a scris|đã viết|menulis"
    r"|كتب|تمت كتابة ما يلي بواسطة|כתב(?:\/ה|ה)?|님이 작성|작성|쓴 글"
    r"|さんは書きました|は書きました|書きました|のメール|のメッセージ|เขียนว่า"
    r"|写道|寫道|写到|寫到|來信"
)

# Header field names of a quoted message. Sender names open a block; the "strong" names (sender,
# sent, subject) tell a header block from a list someone typed.
FROM = (
    r"from|de|von|van|da|från|fra|od|от|від|lähettäjä|kimden|feladó|από|מאת|من|từ|dari|de la"
    r"|发件人|發件人|寄件者|寄件人|差出人|보낸 사람"
)
STRONG = (
    rf"{FROM}|sent|envoy[ée]|gesendet|enviado|enviada|enviat(?: el)?|inviato|verzonden|skickat"
    r"|sendt|wysłano|отправлено|надіслано|lähetetty|gönderildi|elküldve|odesláno|στάλθηκε|נשלח"
    r"|تاريخ الإرسال|đã gửi|dikirim|trimis|发送时间|發送時間|傳送時間|寄件日期|送信日時|보낸 날짜"
    r"|subject|objet|sujet|betreff|onderwerp|oggetto|asunto|assunto|assumpte|ämne|emne|temat|тема"
    r"|aihe|konu|tárgy|předmět|θέμα|נושא|الموضوع|chủ đề|perihal|subiect"
    r"|主题|主題|主旨|主　题|件名|제목"
)
OTHER = (
    r"date|to|cc|bcc|reply-to|reply to|à|a|an|datum|aan|data|risposta|fecha|para|per a|till|til"
    r"|do|pour|copie à|tarih|kime|bilgi|vastaanottaja|kopio|címzett|komu|προς|אל|إلى|đến|kepada"
    r"|către|дата|кому|копия|копія|日期|收件人|收件者|抄送|抄送至|副本|宛先|받는 사람|참조|参照"
)

# Dashed separators: "-----Original Message-----" and its translations.
ORIGINAL = (
    r"original|origine|ursprüngliche|ursprungligt|oorspronkelijk|opprinnelig|oprindelig"
    r"|oryginalna|orijinal|özgün|исходное|оригінальне|původní|eredeti|alkuperäinen|αρχικό"
    r"|الأصلية|מקורית|gốc|asli|原始|原邮件|原郵件|原件|元のメッセージ|원본|replied message"
)
FORWARD = (
    r"forward|weitergeleitet|transf[ée]r|r[ée]exp[ée]di|reenviad|inoltrat|doorgestuurd|encaminhad"
    r"|reencaminhad|vidarebefordra|videresend|przekazan|пересл|пересыл|переслан|iletilen"
    r"|转发|轉寄|轉發|転送|전달"
)

# Closings of a letter. A valediction closes even alone on the last line; thanks close only with
# the writer's name under or beside them ("Thanks!" alone may be the whole answer).
VALEDICTION = (
    r"(?:thanks?|many thanks|thank you)\s*(?:&|and|n)\s*(?:best |kind |warm )?regards"
    r"|(?:with\s+)?(?:(?:best|kind|kindest|warm|warmest|many|sincere)\s+)?regards"
    r"|(?:best|warm|kind) wishes|all the best|best|warmly|cheers|sincerely|yours faithfully"
    r"|faithfully|greetings|have a (?:nice|good|great) (?:day|weekend)"
    r"|yours sincerely|sincerely yours|yours truly|yours|respectfully|cordially|take care|talk soon"
    r"|br|rgds|kr|(?:viele|liebe|beste|freundliche|herzliche|schöne|sonnige)? ?gr[üu](?:ß|ss)e"
    r"|mit (?:den )?(?:freundlichen|besten|herzlichen|lieben) gr[üu](?:ß|ss)en"
    r"|mit freundlichem gru(?:ß|ss)|gru[ßs]s?|lg|vg|mfg"
    r"|(?:bien )?cordialement|bien à (?:vous|toi)"
    r"|(?:meilleures|sincères|bien sincères)? ?salutations"
    r"|bonne (?:journée|soirée|fin de journée)|amicalement|à bientôt|bises"
    r"|(?:un )?saludos?(?: cordiales)?|un cordial saludo|cordiales saludos|atentamente|cordialmente"
    r"|un (?:fuerte )?abrazo|abrazos?|um abraço"
    r"|atenciosamente|abraços?|cumprimentos|saudações|att\.?"
    r"|(?:cordiali|distinti|tanti)? ?saluti|un saluto|a presto|buona giornata"
    r"|(?:met )?vriendelijke groet(?:en)?|(?:hartelijke )?groet(?:en|jes)?|mvg"
    r"|(?:med )?vänliga hälsningar|hälsningar|mvh|(?:med )?venn?lig(?:e)? hilsen|hilsen|hilsner"
    r"|(?:de )?bedste hilsner|(?:ystävällisin |parhain )?terveisin"
    r"|pozdrawiam(?: serdecznie)?|serdecznie pozdrawiam|z poważaniem|pozdrowienia"
    r"|с уважением|всего (?:доброго|хорошего)|с наилучшими пожеланиями|з повагою|всього найкращого"
    r"|saygılarımla|iyi çalışmalar|selamlar|sevgiler|üdvözlettel|s pozdravem|με εκτίμηση|cu stimă"
    r"|trân trọng|salam|salutacions|atentament|مع (?:خالص )?(?:تحياتي|التحية)|تحياتي|בברכה"
    r"|此致|敬礼|此致敬礼|此致\s*敬礼|祝好|顺祝商祺|顺颂商祺|顺颂时祺|祝工作顺利|致礼|敬上|敬祝"
    r"|(?:以上、?)?(?:よろしく|宜しく)お願い(?:いた|致)?します"
    r"|(?:よろしく|宜しく)お願い申し上げます"
    r"|以上です"
)
GRATITUDE = (
    r"thanks?(?: you)?(?: (?:again|so much|very much|a lot|all|in advance))?|many thanks|thx|ty"
    r"|danke(?: schön| sehr)?|vielen dank|besten dank|merci(?: beaucoup| bien)?"
    r"|gracias|muchas gracias"
    r"|obrigad[oa]|muito obrigad[oa]|grazie(?: mille)?|bedankt|dank je(?: wel)?|dank u(?: wel)?"
    r"|tack(?: så mycket)?|takk|tak|kiitos|dziękuję|dzięki|спасибо|благодарю|дякую|щиро дякую"
    r"|teşekkürler|teşekkür ederim|köszönöm|děkuji|díky|ευχαριστώ|mulțumesc|cảm ơn|terima kasih"
    r"|gràcies|moltes gràcies|شكرا|شكراً|תודה|감사합니다|고맙습니다|ありがとうございます"
    r"|谢谢|謝謝|多谢|多謝|感谢|感謝|非常感谢"
)

# Mobile and app footers: "Sent from my iPhone" and its kin.
FOOTER_LEAD = (
    r"sent|envoy[ée]|enviad[oa]|enviat|inviato|inviata|verzonden|verstuurd|skickat|sendt|wysłane"
    r"|odesláno|отправлено|надіслано|lähetetty|elküldve|trimis|gesendet von|von meinem"
    r"|diese nachricht"
    r"|أُ?رسلت|נשלח|发自|發自|寄自|来自|來自|从|從"
)
FOOTER_TAIL = r"gesendet|gönderildi|から送信|에서 보냄|에서 발송|传送|傳送|发送|發送"
BRAND = (
    r"iphone|ipad|ipod|android|galaxy|samsung|huawei|honor|xiaomi|redmi|oneplus|oppo|vivo|pixel"
    r"|blackberry|nokia|windows|outlook|yahoo|gmail|aol|typeapp|bluemail|spark|airmail|protonmail"
    r"|tutanota|k-9|fairemail|edison|newton|superhuman|mailbox|企业微信|微信|钉钉|飞书|网易|华为|華為"
    r"|小米|荣耀"
)
DEVICE = (
    rf"{BRAND}|mobile|phone|smartphone|tablet|device|handy|mobilgerät|mobiltelefon|móvil|celular"
    r"|cellulare|telefon|телефон|почт|appareil|portable|手机|手機|邮箱|郵箱|客户端|客戶端|mail"
)

# The legal notice some companies add under every mail: where its paragraph starts.
DISCLAIMER = (
    r"(?:confidential(?:ity)?(?: notice| note| statement)?|disclaimer|legal notice|notice:)\b"
    r"|(?:this|the) (?:e-?mail|message|communication|transmission)"
    r"(?: and any (?:files|attachments))? (?:is|are|and|contains|may|including|transmitted)"
    r"|the information (?:contained )?in this (?:e-?mail|message)"
    r"|diese (?:e-?mail|nachricht) (?:enthält|ist|kann)"
    r"|ce (?:message|courriel|mail) (?:et|est|peut|contient)"
    r"|este (?:mensaje|correo) (?:y|es|puede|contiene)|questo messaggio|esta mensagem"
    r"|本邮件|此邮件|本郵件|此郵件|免责声明|免責聲明|このメールは|この電子メール"
    r"|이 (?:메일|이메일)은"
)
# What makes such a paragraph a legal notice rather than a sentence about "this email".
LEGAL = (
    r"confidential|privileged"
    r"|intended (?:solely )?(?:for the )?(?:use of the )?(?:addressee|recipient)"
    r"|unauthori[sz]ed|prohibited|vertraulich|confidentiel|confidencial|riservat|保密|机密|機密"
    r"|收件人以外|删除|刪除|守秘|기밀"
)

# Words a sentence cannot end on (articles, prepositions, conjunctions): a full quoted line that
# ends on one was cut by a wrap, and the unmarked line under it is the rest of the sentence.
MID_PHRASE = (
    r"the|a|an|of|to|in|on|at|for|with|from|by|and|or|but|that|our|your|their|its|this|these"
    r"|der|die|das|den|dem|des|ein|eine|einen|und|oder|mit|für|von|zu|zum|zur|im|am|auf|bei"
    r"|le|la|les|un|une|des|du|de|et|ou|à|au|aux|pour|par|avec|dans|sur|en|el|los|las|y|o"
    r"|del|al|con|para|por|il|lo|gli|e|di|da|per|nel|della|het|een|en|van|voor|op|met|te"
    r"|o|os|as|um|uma|do|da|dos|das|e|com|em|no|na|och|att|för|med|på|og|til|af|ja|tai"
)
