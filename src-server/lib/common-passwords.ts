/**
 * The most common passwords from public breach corpora (lower-cased), at least
 * 8 characters long since shorter ones already fail the length rule.
 */
const LIST = `
password 12345678 123456789 1234567890 qwertyuiop qwerty123 password1 password123 iloveyou
11111111 00000000 88888888 12341234 87654321 abcd1234 1q2w3e4r 1qaz2wsx qwerty12 sunshine
princess football baseball welcome1 welcome123 superman trustno1 starwars whatever
passw0rd p@ssw0rd p@ssword admin123 administrator letmein1 letmein123 monkey123 dragon123
changeme changeme1 computer michelle jennifer basketball liverpool chocolate butterfly
1234qwer qwer1234 asdfghjk asdfasdf zxcvbnm1 zxcvbnmm qazwsxedc 1q2w3e4r5t 123qweasd
aa123456 a1234567 abc12345 abcdefgh 123123123 11223344 12121212 987654321 147258369
123454321 1234abcd 66666666 99999999 55555555 22222222 77777777 33333333 44444444
iloveyou1 loveyou1 mustang1 charlie1 michael1 jordan23 shadow12 master12 whatever1
football1 baseball1 superman1 batman123 password12 password! password2 password01
qwertyui qwerty1234 q1w2e3r4 q1w2e3r4t5 1a2b3c4d zaq12wsx !qaz2wsx 1qazxsw2 qazwsx123
internet samsung1 google123 facebook linkedin myspace1 computer1 asdf1234 asdfghjkl
princess1 sunshine1 freedom1 whatever! blink182 slipknot metallica nirvana1 eminem12
pokemon1 pokemon123 minecraft fortnite1 hello123 helloworld hello1234 welcome! secret12
secret123 access14 accessdenied letmein! trustme1 mypassword mypass123 iloveu123
summer2023 summer2024 summer2025 summer2026 winter2024 winter2025 spring2025 autumn2025
graphistry graphistry1 graphistry123 admin1234 adminadmin rootroot root1234 toor1234
default1 default123 guest123 testtest test1234 test12345 testing1 testing123 temp1234
temppass temporary 1password 2password abc123456 abcabc123 a12345678 a123456789
benjamin jonathan victoria samantha jessica1 ashley123 nicole123 daniel123 andrew123
thomas12 william1 matthew1 joshua12 anthony1 elizabeth patricia margaret isabella
chelsea1 arsenal1 manchester barcelona realmadrid juventus lakers24 yankees1 cowboys1
steelers eagles12 patriots packers1 redskins raiders1 broncos1 dolphins chicago1
newyork1 london123 paris123 berlin123 december november october1 september august12
january1 february march123 1234554321 0987654321 9876543210 135792468 246813579
zxcvbnm123 qwertyuiop123 1qaz2wsx3edc poiuytrewq lkjhgfdsa mnbvcxz1 asdfzxcv
flower123 purple123 orange12 yellow12 silver12 golden12 diamond1 crystal1 rainbow1
unicorn1 angel123 devil666 lucifer1 jesus123 jesuschrist blessed1 heaven12 faith123
money123 dollars1 bitcoin1 cash1234 rich1234 lovely12 lovers12 sweetheart darling1
babygirl babygirl1 baby1234 mommy123 daddy123 family12 friends1 forever1 together
killer12 hunter12 ranger12 soccer12 hockey12 tennis12 golfer12 runner12 player12
gamer123 xbox3601 playstation nintendo zelda123 mario123 sonic123 naruto12 onepiece
`;

export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(LIST.split(/\s+/).filter(Boolean));
